import csv
import dataclasses
import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path

from openpyxl import load_workbook

from labb.text import clean_text
from workshops.exports import render_csv, render_xlsx
from workshops.exports.snapshot import NextStepSnapshot, ThemeSnapshot
from workshops.exports.text import FORMULA_PREFIXES

from .factories import AT, DASH, FORMULA, LONG_NOTE, PLUS, make_challenge, make_workshop

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


def notes_csv(snapshot) -> str:
    with zipfile.ZipFile(io.BytesIO(render_csv(snapshot))) as archive:
        return archive.read("notes.csv").decode("utf-8-sig")


def test_csv_is_a_zip_of_one_file_per_table_each_starting_with_a_byte_order_mark(board):
    with zipfile.ZipFile(io.BytesIO(render_csv(board))) as archive:
        assert archive.namelist() == ["notes.csv", "themes.csv", "next-steps.csv"]
        for name in archive.namelist():
            assert archive.read(name).startswith(b"\xef\xbb\xbf")
        # Dated on the workshop's day, not by the clock: the same workshop, the same bytes.
        assert {info.date_time for info in archive.infolist()} == {(2025, 3, 12, 0, 0, 0)}


def test_csv_parses_back_to_one_row_per_note(board):
    rows = list(csv.reader(io.StringIO(notes_csv(board))))
    assert rows[0][:4] == ["Workshop", "Group", "Column", "Note"]
    assert len(rows) - 1 == board.note_count == 300
    assert [r[3] for r in rows[1:]] == expected_texts(board)
    assert {r[1] for r in rows[1:]} == {g.name for g in board.groups}


def test_csv_neutralises_formulas(board):
    texts = [r[3] for r in csv.reader(io.StringIO(notes_csv(board)))]
    for dangerous in (FORMULA, PLUS, DASH, AT):
        assert "'" + dangerous in texts
        assert dangerous not in texts


def test_csv_names_anonymous_authors_and_keeps_long_notes(board):
    rows = list(csv.reader(io.StringIO(notes_csv(board))))
    assert "anonymous" in {r[8] for r in rows[1:]}
    assert LONG_NOTE in [r[3] for r in rows]


def test_csv_marks_duplicates_with_their_target(board):
    rows = list(csv.reader(io.StringIO(notes_csv(board))))[1:]
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
    rows = csv.reader(io.StringIO(notes_csv(board), newline=""))
    assert "föreefter, vertikaltab, escape och bell" in [row[3] for row in rows]


# --- The whole result: themes and next steps beside the notes -----------------------------


def csv_table(snapshot, name: str) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(render_csv(snapshot))) as archive:
        text = archive.read(name).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_table(snapshot, title: str) -> list[list]:
    book = load_workbook(io.BytesIO(render_xlsx(snapshot)))
    return [
        ["" if v is None else v for v in row] for row in book[title].iter_rows(values_only=True)
    ]


def expected_themes(workshop):
    """Per theme, worked out from the notes (not from the theme's own counts): name, notes,
    votes on the theme, the names of the groups with a note in it, in board order."""
    out = {}
    for theme in workshop.themes:
        notes = [n for n in workshop.notes if n.theme_ref == theme.ref]
        groups = [g.name for g in workshop.groups if any(n.group_ref == g.ref for n in notes)]
        out[theme.name] = (len(notes), theme.votes, "\n".join(groups))
    return out


def test_xlsx_has_a_sheet_per_table(board):
    book = load_workbook(io.BytesIO(render_xlsx(board)))
    assert book.sheetnames == ["Notes", "Themes", "Next steps"]


def test_the_themes_table_gives_notes_votes_and_the_groups_that_raised_each_theme(board):
    expected = expected_themes(board)
    assert all(groups.count("\n") >= 2 for _, _, groups in expected.values())
    for rows in (xlsx_table(board, "Themes"), csv_table(board, "themes.csv")):
        header, *body = rows
        assert header == [
            "Workshop", "Theme", "Notes", "Votes on the theme", "Votes on its notes",
            "Votes in all", "Groups", "Groups that raised it",
        ]  # fmt: skip
        got = {r[1]: (int(r[2]), int(r[3]), r[7]) for r in body}
        assert got == expected
        # Ranked by all votes, the theme's and its notes'.
        totals = [int(r[5]) for r in body]
        assert totals == sorted(totals, reverse=True)
        assert all(int(r[5]) == int(r[3]) + int(r[4]) for r in body)


def test_votes_placed_on_themes_are_in_the_themes_table_and_the_notes_say_where():
    """A workshop that voted on themes only: every note has 0 votes of its own."""
    board = make_workshop(groups=3, notes_per_group=6)
    board = dataclasses.replace(
        board,
        groups=tuple(
            dataclasses.replace(
                g,
                columns=tuple(
                    dataclasses.replace(
                        c,
                        notes=tuple(
                            dataclasses.replace(
                                n,
                                votes=0,
                                duplicates=tuple(
                                    dataclasses.replace(d, votes=0) for d in n.duplicates
                                ),
                            )
                            for n in c.notes
                        ),
                    )
                    for c in g.columns
                ),
            )
            for g in board.groups
        ),
        themes=tuple(
            dataclasses.replace(t, votes=i + 3, note_votes=0) for i, t in enumerate(board.themes)
        ),
    )
    for rows in (xlsx_table(board, "Notes"), csv_table(board, "notes.csv")):
        assert rows[0][6] == "Votes on the note (votes on themes: see Themes)"
        assert {int(r[6]) for r in rows[1:]} == {0}
    for rows in (xlsx_table(board, "Themes"), csv_table(board, "themes.csv")):
        votes = {r[1]: (int(r[3]), int(r[5])) for r in rows[1:]}
        assert votes == {t.name: (t.votes, t.votes) for t in board.themes}
        assert min(v for v, _ in votes.values()) == 3


def test_the_next_steps_table_gives_what_who_when_status_and_links(board):
    notes = {n.ref: n.text for n in board.notes}
    names = {t.ref: t.name for t in board.themes}
    xlsx, csv_rows = xlsx_table(board, "Next steps"), csv_table(board, "next-steps.csv")
    assert xlsx[0] == csv_rows[0] == [
        "Workshop", "What", "Who takes the lead?", "By when?", "Status", "Themes", "Notes",
    ]  # fmt: skip
    assert len(xlsx) == len(csv_rows) == len(board.next_steps) + 1 == 4
    for step, x, c in zip(board.next_steps, xlsx[1:], csv_rows[1:], strict=True):
        linked = [
            "\n".join(names[r] for r in step.theme_refs),
            "\n".join(notes[r] for r in step.note_refs),
        ]
        status = {"open": "Open", "done": "Done"}[step.status]
        assert x[:3] == c[:3] == [board.title, step.title, step.owner_name]
        assert x[4:] == c[4:] == [status, *linked]
        if step.due_date:
            assert x[3].date() == step.due_date
            assert c[3] == step.due_date.isoformat()
        else:
            assert x[3] == c[3] == ""
    assert xlsx[1][5] == "Samverkan över gränser" and xlsx[1][6]


def test_a_challenge_spreadsheet_has_the_themes_and_next_steps_of_every_workshop():
    challenge = make_challenge(workshops=3, notes_per_group=4)
    for themes, steps in (
        (xlsx_table(challenge, "Themes"), xlsx_table(challenge, "Next steps")),
        (csv_table(challenge, "themes.csv"), csv_table(challenge, "next-steps.csv")),
    ):
        for workshop in challenge.workshops:
            theme_rows = {
                r[1]: (int(r[2]), int(r[3]), r[7]) for r in themes[1:] if r[0] == workshop.title
            }
            assert theme_rows == expected_themes(workshop)
            assert [r[1] for r in steps[1:] if r[0] == workshop.title] == [
                s.title for s in workshop.next_steps
            ]
        assert len(steps) - 1 == 3 * 3


def test_the_spreadsheets_are_in_the_active_language(small_board):
    from django.utils import translation

    with translation.override("sv"):
        book = load_workbook(io.BytesIO(render_xlsx(small_board)))
        with zipfile.ZipFile(io.BytesIO(render_csv(small_board))) as archive:
            names = archive.namelist()
    assert book.sheetnames == ["Lappar", "Teman", "Nästa steg"]
    assert names == ["lappar.csv", "teman.csv", "nasta-steg.csv"]


HOSTILE = json.loads((Path(__file__).parents[1] / "data" / "hostile_strings.json").read_text())


def _as_cell(text: str) -> str:
    """A hostile text as stored (the text policy), then as a spreadsheet must show it."""
    text = clean_text(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _hostile_board():
    """Every hostile string as a theme name, a group name, a next step and its owner."""
    strings = [s for s in HOSTILE["strings"] if clean_text(s).strip()]
    board = make_workshop(groups=len(strings), notes_per_group=2)
    notes = [n for n in board.notes if not n.merged_into]
    groups = tuple(
        dataclasses.replace(g, name=s) for g, s in zip(board.groups, strings, strict=True)
    )
    themes = tuple(
        ThemeSnapshot(f"t{i}", s, board.exported_at, (notes[i].ref, notes[-1 - i].ref), 1, 0, 2)
        for i, s in enumerate(strings)
    )
    steps = tuple(
        NextStepSnapshot(f"a{i}", s, strings[-1 - i], None, "open", board.exported_at)
        for i, s in enumerate(strings)
    )
    return strings, dataclasses.replace(board, groups=groups, themes=themes, next_steps=steps)


def test_the_themes_and_next_steps_tables_hold_hostile_texts_as_text():
    strings, board = _hostile_board()
    assert sum(s.startswith(FORMULA_PREFIXES) for s in strings) >= 5
    group_of = {n.ref: n.group_ref for n in board.notes}
    names = {g.ref: g.name for g in board.groups}
    expected_groups = Counter(
        _as_cell(
            "\n".join(
                names[g.ref] for g in board.groups if g.ref in {group_of[r] for r in t.note_refs}
            )
        )
        for t in board.themes
    )
    expected_titles = Counter(_as_cell(s) for s in strings)
    themes = csv_table(board, "themes.csv")[1:]
    steps = csv_table(board, "next-steps.csv")[1:]
    assert Counter(r[1] for r in themes) == expected_titles
    assert Counter(r[7] for r in themes) == expected_groups
    assert Counter(r[1] for r in steps) == Counter(r[2] for r in steps) == expected_titles

    def xml(text):
        """As an XML reader reads the cell back, within Excel's 32,767 characters a cell."""
        text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)
        return text.replace("\r", "\n")[:32767]

    book = load_workbook(io.BytesIO(render_xlsx(board)))
    themes, steps = book["Themes"], book["Next steps"]
    assert Counter(r[1] for r in themes.iter_rows(min_row=2, values_only=True)) == Counter(
        xml(t) for t in expected_titles.elements()
    )
    assert Counter(r[7] for r in themes.iter_rows(min_row=2, values_only=True)) == Counter(
        xml(t) for t in expected_groups.elements()
    )
    assert Counter(r[1] for r in steps.iter_rows(min_row=2, values_only=True)) == Counter(
        xml(t) for t in expected_titles.elements()
    )
    for sheet in (themes, steps):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_the_zip_takes_any_date_a_workshop_can_hold(board):
    """An imported workshop may be dated 1900-2199; a ZIP entry holds 1980-2107 only."""
    import datetime

    for day, stamped in [
        (datetime.date(2199, 12, 31), (2107, 12, 31)),
        (datetime.date(1900, 1, 1), (1980, 1, 1)),
        (datetime.date(2026, 3, 4), (2026, 3, 4)),
    ]:
        snapshot = dataclasses.replace(board, date=day)
        with zipfile.ZipFile(io.BytesIO(render_csv(snapshot))) as archive:
            assert {info.date_time[:3] for info in archive.infolist()} == {stamped}
