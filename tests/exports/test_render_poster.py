import io

from PIL import Image, ImageStat

from workshops.exports import render_poster
from workshops.exports.render.poster import HEIGHT, WIDTH

from .factories import make_workshop


def test_every_page_is_a3_landscape_and_not_blank(board):
    pages = render_poster(board)
    for png in pages:
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT) == (2480, 1754)
        extrema = image.convert("L").getextrema()
        assert extrema[0] < 100 < extrema[1]
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 10


def test_a_twenty_group_workshop_is_paged_not_shrunk(board):
    pages = render_poster(board)
    # One overview page with the themes, then four groups per page.
    assert 4 <= len(pages) <= 8


def test_a_small_workshop_fits_on_two_pages(small_board):
    assert len(render_poster(small_board)) == 2


def test_a_workshop_without_notes_or_themes_still_renders():
    empty = make_workshop(groups=0)
    pages = render_poster(empty)
    assert len(pages) == 1
