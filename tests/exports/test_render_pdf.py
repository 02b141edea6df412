"""The PDF report, read back with pikepdf and pypdf: content, PDF/A-2b and PDF/UA-1
identification, structure tree, /Lang, alt text, embedded fonts, reading order and
right-to-left shaping."""

import dataclasses
import io
import re
import unicodedata

import pikepdf
import pytest
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from workshops.exports import render_pdf, render_poster
from workshops.exports.fonts import REGULAR

from .factories import LONG_WORD, RTL, make_challenge, make_workshop

ARABIC_WORD = "البلديات"


@pytest.fixture(scope="module")
def report(board):
    """The 300-note board's report in English, rendered once for the read-only checks."""
    with translation.override("en"):
        return render_pdf(board)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return "".join(text.split())


def struct_elements(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every element of the structure tree, depth first (document order)."""
    out = []

    def walk(element):
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            return
        out.append((str(element.S)[1:], element))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid)

    root = pdf.Root.StructTreeRoot.K
    for kid in root if isinstance(root, pikepdf.Array) else [root]:
        walk(kid)
    return out


def test_the_cover_has_the_challenge_and_the_figures(board, report):
    reader = PdfReader(io.BytesIO(report))
    cover = squash(reader.pages[0].extract_text())
    assert squash(board.challenge_question) in cover
    assert squash(board.place) in cover
    assert "LenaHolm" in cover and "AhmedYusuf" in cover
    assert "Participants80" in cover
    assert "Notes300" in cover
    assert "ExportedfromLabbon" in cover


def test_every_group_and_note_is_in_the_text(board, report):
    text = squash(pdf_text(report))
    for group in board.groups:
        assert squash(group.name) in text
    for note in board.notes:
        if "🎉" not in note.text:  # emoji the bundled font lacks become boxes
            assert squash(note.text)[:30] in text, note.text


def test_long_words_are_wrapped_not_lost(report):
    assert LONG_WORD in squash(pdf_text(report))


def test_synthesis_and_next_steps(board, report):
    text = squash(pdf_text(report))
    assert "Synthesis:themesacrossgroups" in text
    assert squash(board.themes_by_votes()[0].name) in text
    assert "KarinÖberg" in text
    assert "Nextsteps" in text


def test_text_extraction_follows_the_reading_order(board, report):
    """Cover, the groups in board order, synthesis, next steps, poster: the order of the
    template is the order of the content streams and of the structure tree."""
    text = squash(pdf_text(report))
    marks = [
        squash(board.challenge_question),
        "Thegroups'boards",
        *(squash(g.name) for g in board.groups),
        "Synthesis:themesacrossgroups",
        "Nextsteps",
        "Theposterisafileofitsown",
    ]
    positions = [text.index(mark) for mark in marks]
    assert positions == sorted(positions)


def test_the_report_is_pdf_a_2b_and_pdf_ua_1(report):
    pdf = pikepdf.open(io.BytesIO(report))
    assert pdf.pdf_version == "1.7"
    meta = pdf.open_metadata()
    assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    assert meta["pdfuaid:part"] == "1"
    # PDF/A allows a property outside its predefined schemas only with an extension schema.
    xmp = pdf.Root.Metadata.read_bytes().decode()
    assert re.search(
        r"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>"
        r"\s*<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>",
        xmp,
    )
    assert xmp.count("<rdf:RDF") == 1
    # The XMP and the document information dictionary agree (PDF/A-2, 6.6.3).
    assert meta["dc:title"] == str(pdf.docinfo.Title)
    assert [str(intent.S) for intent in pdf.Root.OutputIntents] == ["/GTS_PDFA1"]
    # PDF/UA-1: tagged, title shown in the window's title bar.
    assert pdf.Root.MarkInfo.Marked is True
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_metadata_names_title_author_and_language(board, report):
    pdf = pikepdf.open(io.BytesIO(report))
    assert board.title in str(pdf.docinfo.Title)
    assert str(pdf.docinfo.Author) == board.organisation_name
    assert str(pdf.Root.Lang) == "en"


def test_the_report_is_in_the_requesters_language(small_board):
    with translation.override("sv"):
        data = render_pdf(small_board)
    pdf = pikepdf.open(io.BytesIO(data))
    assert str(pdf.Root.Lang) == "sv"
    assert str(pdf.docinfo.Subject) == "Dokumentation av workshoppen"
    text = squash(pdf_text(data))
    assert "Gruppernastavlor" in text and "Nästasteg" in text


def test_the_structure_tree_has_headings_lists_tables_and_figures(board, report):
    pdf = pikepdf.open(io.BytesIO(report))
    elements = struct_elements(pdf)
    kinds = [kind for kind, _ in elements]
    assert kinds[0] == "Document"
    headings = [kind for kind in kinds if re.fullmatch(r"H\d", kind)]
    # One H1 (the challenge), four H2 sections, an H3 per group with an H4 per column.
    assert headings[0] == "H1" and headings.count("H1") == 1
    assert headings.count("H2") == 4
    assert headings.count("H3") == len(board.groups)
    assert headings.count("H4") == sum(len(g.columns) for g in board.groups)
    # Headings never skip a level going down.
    levels = [int(h[1]) for h in headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    # Each shown note is a list item (a note split over two pages is one item per page).
    assert kinds.count("LI") >= board.note_count
    assert "L" in kinds and "LBody" in kinds
    # Tables: the figures, two theme rankings and the next steps, with header cells that
    # data cells point to.
    assert kinds.count("Table") >= 4
    assert "TH" in kinds
    cells = [e for kind, e in elements if kind == "TD"]
    assert cells and all(len(cell.A.Headers) >= 1 for cell in cells)


def test_every_figure_has_alt_text_the_chart_and_the_poster_preview(board, report):
    pdf = pikepdf.open(io.BytesIO(report))
    figures = [e for kind, e in struct_elements(pdf) if kind == "Figure"]
    alts = [str(figure.get("/Alt", "")) for figure in figures]
    assert len(alts) == 2 and all(alts)
    chart, poster = alts
    top = board.themes_by_votes()[0]
    assert chart.startswith("Bar chart of votes per theme, most first: ")
    assert f"{top.name}: {top.total_votes} votes" in chart
    assert poster.startswith("Page 1 of the poster, reduced: the workshop")
    assert board.title in poster and f"{top.name} ({top.total_votes} votes)" in poster


def test_the_chart_shows_the_ten_themes_with_most_votes():
    board = make_workshop(groups=3, notes_per_group=4)
    themes = tuple(
        dataclasses.replace(board.themes[0], ref=f"t{i}", name=f"Tema {i}", votes=i, note_votes=0)
        for i in range(1, 13)
    )
    data = render_pdf(dataclasses.replace(board, themes=themes))
    pdf = pikepdf.open(io.BytesIO(data))
    chart = next(str(e.Alt) for kind, e in struct_elements(pdf) if kind == "Figure")
    assert "Tema 12: 12 votes; Tema 11: 11 votes" in chart
    assert "Tema 3: 3 votes" in chart and "Tema 2:" not in chart
    assert "the ten themes with most votes" in pdf_text(data)


def test_the_bundled_fonts_are_embedded_and_no_other(report):
    pdf = pikepdf.open(io.BytesIO(report))
    fonts = {}
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descriptor = font.DescendantFonts[0].FontDescriptor
            fonts[str(font.BaseFont).split("+")[1]] = "/FontFile2" in descriptor
    assert fonts == {"DejaVu-Sans": True, "DejaVu-Sans-Bold": True}


def arabic_glyph_forms(data: bytes) -> set[str]:
    """The forms of the glyphs the report draws for Arabic letters: "ISOLATED" for the
    font's own glyph of the character, else the presentation form the glyph is named after
    ("INITIAL", "MEDIAL", "FINAL"). WeasyPrint keeps the font's glyph ids as character ids,
    and its ToUnicode map says which character each glyph stands for."""
    pdf = pikepdf.open(io.BytesIO(data))
    bundled = TTFont(str(REGULAR), lazy=True)
    cmap = bundled.getBestCmap()
    forms = set()
    for font in pdf.pages[0].Resources.Font.values():
        to_unicode = font.ToUnicode.read_bytes().decode("latin-1")
        for glyph, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", to_unicode):
            char = int(text[:4], 16)
            if not 0x0620 <= char <= 0x064A:
                continue
            name = bundled.getGlyphName(int(glyph, 16))
            if name == cmap[char]:
                forms.add("ISOLATED")
            else:
                form = unicodedata.name(chr(int(name[3:7], 16)))
                forms.add(form.split()[-2])
    return forms


def test_right_to_left_text_is_shaped_and_extracted_in_reading_order(board, report):
    rtl_note = next(note for note in board.notes if note.text == RTL)
    # A reader gets the Arabic and Hebrew back in logical order, as written.
    assert squash(rtl_note.text) in squash(pdf_text(report))
    # Joined Arabic letters take their initial, medial and final forms (HarfBuzz's
    # shaping); unshaped text would only use the isolated forms of the font's cmap.
    assert arabic_glyph_forms(report) >= {"INITIAL", "MEDIAL", "FINAL"}


def test_a_right_to_left_note_is_a_right_to_left_paragraph():
    board = make_workshop(groups=1, notes_per_group=1)
    note = dataclasses.replace(board.groups[0].columns[0].notes[0], text=ARABIC_WORD)
    column = dataclasses.replace(board.groups[0].columns[0], notes=(note,))
    group = dataclasses.replace(board.groups[0], columns=(column,))
    data = render_pdf(dataclasses.replace(board, groups=(group,)))
    assert ARABIC_WORD in pdf_text(data)
    # Set right to left, the word ends at the right margin of the list (A4 less 20 mm).
    pdf = PdfReader(io.BytesIO(data))
    ends = []

    def visit(text, cm, tm, font, size):
        if ARABIC_WORD[:3] in text or ARABIC_WORD[-3:] in text:
            ends.append(tm[4])

    for page in pdf.pages:
        page.extract_text(visitor_text=visit)
    assert ends and max(ends) > 595 * 0.6


def test_the_report_embeds_a_preview_of_the_poster_and_names_its_file(board, small_board):
    """The poster's A3 pages would be too small to read at A4: the report shows its first
    page reduced, as a figure, and says where the poster is and how many pages it has."""
    for snapshot in (board, small_board):
        data = render_pdf(snapshot)
        reader = PdfReader(io.BytesIO(data))
        pdf = pikepdf.open(io.BytesIO(data))
        images = {
            xobject.objgen
            for page in pdf.pages
            for xobject in page.Resources.get("/XObject", {}).values()
            if xobject.Subtype == "/Image"
        }
        assert len(images) == 1
        assert {(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages} == {
            (595, 842)
        }
        pages = len(render_poster(snapshot))
        text = " ".join(pdf_text(data).split())
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
    empty = render_pdf(make_workshop(groups=0))
    assert empty.startswith(b"%PDF")
    assert "No notes." not in pdf_text(empty) and "Thegroups'boards" in squash(pdf_text(empty))
    challenge = make_challenge(workshops=2, notes_per_group=3)
    data = render_pdf(challenge)
    text = pdf_text(data)
    assert "workshop 1" in text and "workshop 2" in text
    kinds = [kind for kind, _ in struct_elements(pikepdf.open(io.BytesIO(data)))]
    assert kinds.count("H1") == 2 and kinds.count("Figure") == 4
    no_workshops = dataclasses.replace(challenge, workshops=())
    text = pdf_text(render_pdf(no_workshops))
    assert "This challenge has no workshops yet." in text


def test_no_glyph_is_the_fonts_notdef_whatever_the_text():
    """PDF/A forbids drawing .notdef; Pango has no glyph for line and paragraph separators,
    and the bundled font none for most emoji: the first become line breaks, the rest boxes."""
    board = make_workshop(groups=1, notes_per_group=1)
    texts = ("rad ett\u2028rad två\u2029stycke", "fest 🎉 och 😀", "tab\there")
    notes = tuple(
        dataclasses.replace(board.groups[0].columns[0].notes[0], ref=f"n{i}", text=text)
        for i, text in enumerate(texts)
    )
    column = dataclasses.replace(board.groups[0].columns[0], notes=notes)
    group = dataclasses.replace(board.groups[0], columns=(column,))
    data = render_pdf(dataclasses.replace(board, groups=(group,)))
    pdf = pikepdf.open(io.BytesIO(data))
    for font in pdf.pages[0].Resources.Font.values():
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
        glyphs = re.findall(r"^<([0-9a-f]{4})> <", cmap.split("beginbfchar")[1], re.MULTILINE)
        assert glyphs and "0000" not in glyphs
    text = pdf_text(data)
    assert "rad ett\nrad två\nstycke" in text
    assert "fest □ och 😀" in text


def test_the_report_fetches_only_the_bundled_fonts_and_data_urls():
    from workshops.exports.fonts import BOLD
    from workshops.exports.render.pdf import report_url_fetcher

    fetcher = report_url_fetcher()
    assert fetcher.fetch(BOLD.as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGVq").read() == b"hej"
    for url in (
        "file:///etc/passwd",
        (REGULAR.parent / ".." / ".." / "manage.py").as_uri(),
        "https://example.org/logo.png",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_weasyprint_reports_no_problem(small_board, caplog):
    """WeasyPrint logs what it cannot honour: a font it failed to load, an image without
    alt text, a document without lang, a glyph no font has, CSS it ignores."""
    with caplog.at_level("WARNING", logger="weasyprint"):
        render_pdf(small_board)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
