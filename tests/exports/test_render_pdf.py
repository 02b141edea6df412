import dataclasses
import io

from pypdf import PdfReader

from workshops.exports import render_pdf, render_poster

from .factories import EMOJI, LONG_WORD, RTL, make_challenge, make_workshop


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


def test_the_cover_has_the_challenge_and_the_figures(board):
    reader = PdfReader(io.BytesIO(render_pdf(board)))
    cover = squash(reader.pages[0].extract_text())
    assert squash(board.challenge_question) in cover
    assert squash(board.place) in cover
    assert "LenaHolm" in cover and "AhmedYusuf" in cover
    assert "Participants80" in cover
    assert "Notes300" in cover


def test_every_group_and_note_is_in_the_text(board):
    text = squash(pdf_text(render_pdf(board)))
    for group in board.groups:
        assert squash(group.name) in text
    for note in board.notes[:40]:
        if note.text not in (EMOJI, RTL):  # extraction order of RTL text varies by reader
            assert squash(note.text)[:30] in text


def test_long_words_are_wrapped_not_lost(board):
    text = squash(pdf_text(render_pdf(board)))
    assert LONG_WORD[:10] in text


def test_synthesis_and_next_steps(board):
    text = squash(pdf_text(render_pdf(board)))
    assert "Synthesis:themesacrossgroups" in text
    top = board.themes_by_votes()[0]
    assert squash(top.name) in text
    assert "KarinÖberg" in text
    assert "Nextsteps" in text


def test_metadata_names_title_author_and_language(board):
    data = render_pdf(board)
    reader = PdfReader(io.BytesIO(data))
    assert board.title in reader.metadata.title
    assert reader.metadata.author == board.organisation_name
    assert b"/Lang" in data


def test_the_report_names_the_poster_file_instead_of_shrinking_its_pages(board, small_board):
    """At A4 the poster's pages were too small to read: the report has no images, only A4
    portrait pages, and says where the poster is and how many pages it has."""
    for snapshot in (board, small_board):
        reader = PdfReader(io.BytesIO(render_pdf(snapshot)))
        assert sum(len(page.images) for page in reader.pages) == 0
        assert {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages} == {
            (595, 842)
        }
        pages = len(render_poster(snapshot))
        text = " ".join(pdf_text(render_pdf(snapshot)).split())
        assert (
            f"The poster is a file of its own: {pages} pages in A3 landscape, to print or show "
            "full-screen. Export “Poster (PNG)” on the workshop's page to get it."
        ) in text
    assert len(render_poster(board)) == 6 and len(render_poster(small_board)) == 2


def test_the_poster_page_count_is_the_rendered_one_for_many_themes():
    from workshops.exports.render.poster import poster_page_count

    board = make_workshop(groups=3, notes_per_group=4)
    for count in (0, 1, 6, 7, 13, 14, 30):
        themes = tuple(
            dataclasses.replace(board.themes[0], ref=f"t{i}", name=f"Tema {i}")
            for i in range(count)
        )
        many = dataclasses.replace(board, themes=themes)
        assert poster_page_count(many) == len(render_poster(many)), count


def test_an_empty_workshop_and_a_challenge_render():
    assert render_pdf(make_workshop(groups=0)).startswith(b"%PDF")
    challenge = make_challenge(workshops=2, notes_per_group=3)
    text = pdf_text(render_pdf(challenge))
    assert "workshop 1" in text and "workshop 2" in text
