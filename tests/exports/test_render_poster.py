import io

from PIL import Image, ImageStat

from workshops.exports import render_poster
from workshops.exports.render.poster import HEIGHT, MUTED, WIDTH, iter_poster_pages

from .factories import LONG_NOTE, make_workshop

FOOTER = (
    "Texts ending in “…” are shortened here: the full texts are in the PDF report and the "
    "spreadsheet."
)


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


def test_and_n_more_is_drawn_below_a_themes_cards_never_over_one(board):
    """Each theme of the 300-note board has more than six notes: its "and N more" line
    stays clear of every card, by the boxes Pillow laid out and by the pixels."""
    crowded = [t for t in board.themes if len(t.note_refs) > 6]
    assert len(crowded) == len(board.themes) == 6
    overview = [
        p for p in iter_poster_pages(board) if any(i.text.startswith("1. ") for i in p.items)
    ]
    (page,) = overview
    mores = [i for i in page.items if i.text.startswith("and ") and i.text.endswith(" more")]
    cards = [i for i in page.items if i.kind == "card"]
    assert len(mores) == len(crowded) and len(cards) == 6 * len(crowded)
    assert [m for m in mores if any(m.overlaps(c) for c in cards)] == []
    # No pixel in the muted colour of that line inside any card.
    pixels = page.image.load()
    for card in cards:
        left, top, right, bottom = (int(v) for v in card.box)
        assert not any(
            pixels[x, y] == MUTED for x in range(left, right) for y in range(top, bottom)
        ), card


def test_page_one_names_the_workshop():
    board = make_workshop(groups=2, notes_per_group=4, title="Verkstad om stuprör i Halland")
    first = next(iter_poster_pages(board))
    assert "Verkstad om stuprör i Halland" in [i.text for i in first.items]


def test_a_page_that_cuts_a_note_short_says_where_the_full_text_is(board):
    pages = list(iter_poster_pages(board))
    words = " ".join(LONG_NOTE.split()[:4])
    with_long_note = [p for p in pages if any(i.text.startswith(words) for i in p.items)]
    assert with_long_note
    assert all(FOOTER in [i.text for i in p.items] for p in with_long_note)
    for page in pages:
        texts = [i.text for i in page.items]
        cut = any(t.endswith("…") for t in texts if t != FOOTER)
        assert (FOOTER in texts) == cut
        footer = [i for i in page.items if i.text == FOOTER]
        assert all(not f.overlaps(other) for f in footer for other in page.items if other is not f)
        assert all(f.box[3] < HEIGHT for f in footer)


def test_a_page_without_cut_texts_has_no_footer():
    board = make_workshop(groups=1, notes_per_group=1)
    for page in iter_poster_pages(board):
        assert not any(i.text.endswith("…") for i in page.items)
        assert FOOTER not in [i.text for i in page.items]
