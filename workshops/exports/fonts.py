"""The bundled typeface, shared by the poster (Pillow) and the PDF report (WeasyPrint).

DejaVu Sans ships in `static/fonts/` with its licence, so an export never depends on the
fonts installed on the server and never goes to the network.
"""

from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

# The family name the report's stylesheet uses for the bundled files (docs/exports.md).
REPORT_FAMILY = "LabbSans"


@cache
def pil_font(size: int, *, bold: bool = False):
    """A Pillow font of the given pixel size; cached because loading a TTF is not free."""
    from PIL import ImageFont

    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


@cache
def report_font_faces() -> str:
    """CSS @font-face rules that load the bundled files (file: URLs, no network)."""
    return "".join(
        f"@font-face {{ font-family: {REPORT_FAMILY}; font-weight: {weight}; "
        f'src: url("{path.as_uri()}"); }}\n'
        for weight, path in (("normal", REGULAR), ("bold", BOLD))
    )


@cache
def covered_codepoints() -> frozenset[int]:
    """Code points the bundled font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(REGULAR), lazy=True) as font:
        return frozenset(font.getBestCmap())
