"""The bundled typeface, shared by the poster (Pillow) and the PDF report (ReportLab).

DejaVu Sans ships in `static/fonts/` with its licence, so an export never depends on the
fonts installed on the server and never goes to the network.
"""

from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

PDF_REGULAR = "LabbSans"
PDF_BOLD = "LabbSans-Bold"


@cache
def pil_font(size: int, *, bold: bool = False):
    """A Pillow font of the given pixel size; cached because loading a TTF is not free."""
    from PIL import ImageFont

    return ImageFont.truetype(str(BOLD if bold else REGULAR), size)


@cache
def register_pdf_fonts() -> None:
    """Register the bundled font with ReportLab once per process."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(PDF_REGULAR, str(REGULAR)))
    pdfmetrics.registerFont(TTFont(PDF_BOLD, str(BOLD)))
    addMapping(PDF_REGULAR, 0, 0, PDF_REGULAR)
    addMapping(PDF_REGULAR, 1, 0, PDF_BOLD)
    addMapping(PDF_REGULAR, 0, 1, PDF_REGULAR)
    addMapping(PDF_REGULAR, 1, 1, PDF_BOLD)


@cache
def covered_codepoints() -> frozenset[int]:
    """Code points the bundled font has a glyph for."""
    from reportlab.pdfbase.ttfonts import TTFontFile

    return frozenset(TTFontFile(str(REGULAR)).charToGlyph)
