import csv
import dataclasses
import io

from openpyxl import load_workbook

from workshops.exports import render_csv, render_xlsx
from workshops.exports.text import FORMULA_PREFIXES

from .factories import AT, DASH, FORMULA, LONG_NOTE, PLUS, make_workshop

# What a spreadsheet must show for the four notes that start like a formula, written out:
# the renderer's own neutralise_cell must not be the judge of its output.
NEUTRALISED = {
    '=HYPERLINK("http://example.invalid","klicka")': """'=HYPERLINK("http://example.invalid","klicka")""",
    "+46 70 123 45 67 ringer om budgeten": "'+46 70 123 45 67 ringer om budgeten",
    "- resursbrist leder till att ingen hinner": "'- resursbrist leder till att ingen hinner",
    "@alla: glöm inte uppföljningen": "'@alla: glöm inte uppföljningen",
}


def expected_texts(board):
    """Every note's text as the spreadsheet shows it: unchanged, but for the four above."""
    texts = [n.text for n in board.notes]
    assert {FORMULA, PLUS, DASH, AT} == set(NEUTRALISED) <= set(texts)
    others = [text for text in texts if text not in NEUTRALISED]
    assert not any(text.startswith(FORMULA_PREFIXES) for text in others)
    return [NEUTRALISED.get(text, text) for text in texts]


def test_csv_starts_with_a_byte_order_mark(board):
    assert render_csv(board).startswith(b"\xef\xbb\xbf")


def test_csv_parses_back_to_one_row_per_note(board):
    rows = list(csv.reader(io.StringIO(render_csv(board).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Workshop", "Group", "Column", "Note"]
    assert len(rows) - 1 == board.note_count == 300
    assert [r[3] for r in rows[1:]] == expected_texts(board)
    assert {r[1] for r in rows[1:]} == {g.name for g in board.groups}


def test_csv_neutralises_formulas(board):
    texts = [r[3] for r in csv.reader(io.StringIO(render_csv(board).decode("utf-8-sig")))]
    for dangerous in (FORMULA, PLUS, DASH, AT):
        assert "'" + dangerous in texts
        assert dangerous not in texts


def test_csv_names_anonymous_authors_and_keeps_long_notes(board):
    rows = list(csv.reader(io.StringIO(render_csv(board).decode("utf-8-sig"))))
    assert "anonymous" in {r[8] for r in rows[1:]}
    assert LONG_NOTE in [r[3] for r in rows]


def test_csv_marks_duplicates_with_their_target(board):
    rows = list(csv.reader(io.StringIO(render_csv(board).decode("utf-8-sig"))))[1:]
    duplicates = [r for r in rows if r[4]]
    assert len(duplicates) == len(board.groups)
    assert all(r[3] == r[4] + " (samma tanke)" for r in duplicates)


def test_xlsx_parses_back_to_the_same_notes(board):
    sheet = load_workbook(io.BytesIO(render_xlsx(board))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == 300
    assert [r[3] for r in rows[1:]] == expected_texts(board)
    assert [r[6] for r in rows[1:]] == [n.votes for n in board.notes]


def test_xlsx_has_no_formula_cells(board):
    sheet = load_workbook(io.BytesIO(render_xlsx(board))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def _with_first_note_text(snapshot, text):
    group = snapshot.groups[0]
    column = group.columns[0]
    note = dataclasses.replace(column.notes[0], text=text)
    columns = (dataclasses.replace(column, notes=(note, *column.notes[1:])), *group.columns[1:])
    groups = (dataclasses.replace(group, columns=columns), *snapshot.groups[1:])
    return dataclasses.replace(snapshot, groups=groups)


def test_xlsx_opens_whatever_characters_a_note_holds():
    """XML 1.0, inside every .xlsx, cannot hold U+FFFE, U+FFFF or C0 controls other than
    tab, line feed and carriage return: openpyxl refuses the controls and writes the two
    non-characters into a file no spreadsheet program opens. A row stored before the text
    policy (labb/text.py) may hold them; both spreadsheets show it under the policy."""
    text = "före\uffffefter\ufffe, vertikal\x0btab, escape\x1b och bell\x07"
    board = _with_first_note_text(make_workshop(groups=1, notes_per_group=2), text)
    sheet = load_workbook(io.BytesIO(render_xlsx(board))).active
    notes = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "föreefter, vertikaltab, escape och bell" in notes
    rows = csv.reader(io.StringIO(render_csv(board).decode("utf-8-sig"), newline=""))
    assert "föreefter, vertikaltab, escape och bell" in [row[3] for row in rows]
