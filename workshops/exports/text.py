"""Text helpers shared by the renderers: glyph fallback, wrapping, spreadsheet safety."""

import unicodedata
from collections.abc import Callable

from .fonts import covered_codepoints

ELLIPSIS = "…"
MISSING_GLYPH = "□"
# Characters that start a formula in Excel, LibreOffice or Google Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV/formula injection).

    The OWASP advice: a text that starts with a formula character gets a leading
    apostrophe, so it is shown as the text it is and never evaluated.
    """
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def displayable(text: str) -> str:
    """Replace what the bundled font cannot draw (most emoji) by one box per cluster.

    Joiners and variation selectors that belong to the missing cluster go with it, so
    "👩‍💻" becomes one box rather than three.
    """
    covered = covered_codepoints()
    out: list[str] = []
    in_missing = False
    for char in text:
        code = ord(char)
        if in_missing and (code == 0x200D or unicodedata.category(char) in ("Mn", "Cf", "Sk")):
            continue
        if code in covered or char in "\n\t ":
            out.append(char)
            in_missing = False
        elif unicodedata.category(char) in ("Cf", "Mn"):
            # A stray joiner or mark without a missing base: drop it quietly.
            continue
        else:
            if not in_missing:
                out.append(MISSING_GLYPH)
            in_missing = True
    return "".join(out)


def is_rtl(text: str) -> bool:
    """Whether the first character with a strong direction is right-to-left."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def wrap(text: str, measure: Callable[[str], float], max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap to `max_width`, breaking words too long for a line and
    ellipsizing the last line when the text needs more than `max_lines`."""
    return wrap_cut(text, measure, max_width, max_lines)[0]


def wrap_cut(
    text: str, measure: Callable[[str], float], max_width: float, max_lines: int
) -> tuple[list[str], bool]:
    """`wrap`, and whether the text was cut short (its last line ends with the ellipsis)."""
    lines: list[str] = []
    truncated = False
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
            while measure(word) > max_width:
                head = _longest_prefix(word, measure, max_width)
                lines.append(head)
                word = word[len(head) :]
            current = word
        lines.append(current)
        if len(lines) > max_lines:
            break
    while lines and not lines[-1] and len(lines) > 1:
        lines.pop()
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        truncated = True
    if truncated:
        last = lines[-1]
        while last and measure(last + ELLIPSIS) > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return lines, truncated


def _longest_prefix(word: str, measure: Callable[[str], float], max_width: float) -> str:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(word[:middle]) <= max_width:
            low = middle
        else:
            high = middle - 1
    return word[:low]


def ellipsize(text: str, measure: Callable[[str], float], max_width: float) -> str:
    """One line, cut with an ellipsis if it does not fit."""
    text = " ".join(text.split())
    if measure(text) <= max_width:
        return text
    return wrap(text, measure, max_width, 1)[0]
