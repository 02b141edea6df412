"""Agreement between labeller A and labeller B on the suggestion evaluation sets.

Run from the repository root (standard library only, no Django):

    python3 bench/data/suggest/agreement.py            # every set with both label files
    python3 bench/data/suggest/agreement.py seed004    # one or more named sets

For each set it reads `notes.json`, `labels_a.json` and `labels_b.json`, checks that each
labelling puts every note exactly once, and prints:

- pairwise precision, recall and F1 of B's "same theme" note pairs against A's. Swapping
  A and B swaps precision and recall, so F1 is the symmetric figure;
- the Adjusted Rand Index (Hubert and Arabie, 1985), with each singleton as a cluster of
  one note. 1 means identical clusterings, 0 what random clusterings of the same sizes
  would reach on average.
"""

import json
import sys
from collections import Counter
from math import comb
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_clusters(set_dir: Path, labels_file: str, note_ids: set[int]) -> list[list[int]]:
    """Themes and singletons of one labelling as a partition of the notes."""
    labels = json.loads((set_dir / labels_file).read_text(encoding="utf-8"))
    clusters = [list(theme["note_ids"]) for theme in labels["themes"]]
    clusters += [[note_id] for note_id in labels["singletons"]]
    placed = Counter(note_id for cluster in clusters for note_id in cluster)
    twice = sorted(note_id for note_id, count in placed.items() if count > 1)
    missing = sorted(note_ids - placed.keys())
    unknown = sorted(placed.keys() - note_ids)
    if twice or missing or unknown:
        raise SystemExit(
            f"{set_dir.name}/{labels_file}: notes placed twice {twice}, "
            f"missing {missing}, unknown {unknown}"
        )
    return clusters


def same_theme_pairs(clusters: list[list[int]]) -> set[tuple[int, int]]:
    return {
        (a, b)
        for cluster in clusters
        for i, a in enumerate(sorted(cluster))
        for b in sorted(cluster)[i + 1 :]
    }


def adjusted_rand_index(first: list[list[int]], second: list[list[int]], n: int) -> float:
    cluster_of = {note_id: index for index, cluster in enumerate(second) for note_id in cluster}
    together_in_both = sum(
        comb(count, 2)
        for cluster in first
        for count in Counter(cluster_of[note_id] for note_id in cluster).values()
    )
    pairs_first = sum(comb(len(cluster), 2) for cluster in first)
    pairs_second = sum(comb(len(cluster), 2) for cluster in second)
    expected = pairs_first * pairs_second / comb(n, 2)
    maximum = (pairs_first + pairs_second) / 2
    if maximum == expected:  # both all singletons or both one cluster
        return 1.0
    return (together_in_both - expected) / (maximum - expected)


def agreement(set_dir: Path) -> dict:
    notes = json.loads((set_dir / "notes.json").read_text(encoding="utf-8"))["notes"]
    note_ids = {note["id"] for note in notes}
    a = load_clusters(set_dir, "labels_a.json", note_ids)
    b = load_clusters(set_dir, "labels_b.json", note_ids)
    pairs_a, pairs_b = same_theme_pairs(a), same_theme_pairs(b)
    common = len(pairs_a & pairs_b)
    precision = common / len(pairs_b) if pairs_b else 0.0
    recall = common / len(pairs_a) if pairs_a else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return {
        "set": set_dir.name,
        "notes": len(note_ids),
        "themes_a": sum(len(c) > 1 for c in a),
        "singletons_a": sum(len(c) == 1 for c in a),
        "themes_b": sum(len(c) > 1 for c in b),
        "singletons_b": sum(len(c) == 1 for c in b),
        "pairs_a": len(pairs_a),
        "pairs_b": len(pairs_b),
        "pairs_both": common,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "ari": adjusted_rand_index(a, b, len(note_ids)),
    }


def main(names: list[str]) -> None:
    if names:
        set_dirs = [HERE / name for name in names]
    else:
        set_dirs = sorted(p.parent for p in HERE.glob("*/labels_b.json"))
    print(
        "| set | notes | themes A / B | singletons A / B | pairs A / B / both "
        "| precision | recall | F1 | ARI |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for set_dir in set_dirs:
        r = agreement(set_dir)
        print(
            f"| `{r['set']}` | {r['notes']} | {r['themes_a']} / {r['themes_b']} "
            f"| {r['singletons_a']} / {r['singletons_b']} "
            f"| {r['pairs_a']} / {r['pairs_b']} / {r['pairs_both']} "
            f"| {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | {r['ari']:.2f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
