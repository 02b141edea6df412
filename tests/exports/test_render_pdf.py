import io

from pypdf import PdfReader

from workshops.exports import render_pdf

from .factories import EMOJI, LONG_WORD, RTL, make_challenge, make_workshop


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


def test_the_cover_has_the_challenge_and_the_figures(board):
    reader = PdfReader(io.BytesIO(render_pdf(board, with_poster=False)))
    cover = squash(reader.pages[0].extract_text())
    assert squash(board.challenge_question) in cover
    assert squash(board.place) in cover
    assert "LenaHolm" in cover and "AhmedYusuf" in cover
    assert "Participants80" in cover
    assert "Notes300" in cover


def test_every_group_and_note_is_in_the_text(board):
    text = squash(pdf_text(render_pdf(board, with_poster=False)))
    for group in board.groups:
        assert squash(group.name) in text
    for note in board.notes[:40]:
        if note.text not in (EMOJI, RTL):  # extraction order of RTL text varies by reader
            assert squash(note.text)[:30] in text


def test_long_words_are_wrapped_not_lost(board):
    text = squash(pdf_text(render_pdf(board, with_poster=False)))
    assert LONG_WORD[:10] in text


def test_synthesis_and_next_steps(board):
    text = squash(pdf_text(render_pdf(board, with_poster=False)))
    assert "Synthesis:themesacrossgroups" in text
    top = board.themes_by_votes()[0]
    assert squash(top.name) in text
    assert "KarinÖberg" in text
    assert "Nextsteps" in text


def test_metadata_names_title_author_and_language(board):
    data = render_pdf(board, with_poster=False)
    reader = PdfReader(io.BytesIO(data))
    assert board.title in reader.metadata.title
    assert reader.metadata.author == board.organisation_name
    assert b"/Lang" in data


def test_the_poster_is_embedded_as_images(small_board):
    reader = PdfReader(io.BytesIO(render_pdf(small_board)))
    assert sum(len(page.images) for page in reader.pages) == 2


def test_an_empty_workshop_and_a_challenge_render():
    assert render_pdf(make_workshop(groups=0)).startswith(b"%PDF")
    challenge = make_challenge(workshops=2, notes_per_group=3)
    text = pdf_text(render_pdf(challenge, with_poster=False))
    assert "workshop 1" in text and "workshop 2" in text
