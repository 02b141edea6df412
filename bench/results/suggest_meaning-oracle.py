"""Diagnostic for bench/results/suggest_meaning-experiments.md, section 6 (development sets).

Run from the repository root: ``python bench/results/suggest_meaning-oracle.py``. Lists every
suggestion the current code makes with its precision, the recall ceiling of showing the 12
largest gold themes, and the F1 of picking the 12 shown with hindsight (precision >= 0.5
first, biggest first).
"""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.suggest_quality import (  # noqa: E402
    all_sets,
    pairwise_scores,
    suggestion_precision,
    true_pairs,
)
from workshops.suggest import suggest_themes  # noqa: E402

for labelled in all_sets():
    if not labelled.development:
        continue
    made = suggest_themes(labelled.notes, language="auto", max_suggestions=1000)
    sizes = sorted(Counter(labelled.gold.values()).values(), reverse=True)[:12]
    ceiling = sum(n * (n - 1) / 2 for n in sizes) / len(true_pairs(labelled.gold))
    print(f"{labelled.name}: {len(made)} suggestions, recall ceiling of 12 themes {ceiling:.2f}")
    for rank, s in enumerate(made[:30], 1):
        precision = suggestion_precision(s, labelled.gold)
        print(f"  {rank:>2} {s.label} {len(s.note_ids)} {precision:.2f} {s.score}")
    pick = sorted(
        made,
        key=lambda s: (suggestion_precision(s, labelled.gold) < 0.5, -len(s.note_ids)),
    )[:12]
    p, r, f1 = pairwise_scores(pick, labelled.gold)
    print(f"  hindsight pick of 12: precision {p:.2f} recall {r:.2f} F1 {f1:.2f}")
