"""CSV and XLSX: the whole result of a workshop (or of every workshop of a challenge), safe
to open in any spreadsheet program.

Three tables, the same in both formats: the notes (one row per shown note), the themes
(notes, votes on the theme and on its notes, the groups that raised it) and the next steps.
XLSX holds them as three sheets; CSV, which holds one table per file, as three files in a
ZIP. Every text cell goes through the text policy and `neutralise_cell` on the way out.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from labb.text import clean_text

from ..snapshot import Snapshot, WorkshopSnapshot
from ..text import neutralise_cell


@dataclass(frozen=True)
class Table:
    key: str  # "notes", "themes", "next_steps": stable, whatever the language
    title: str  # the sheet's name, translated
    headers: list[str]
    rows: Iterable[list]
    widths: tuple[int, ...]  # XLSX column widths, in characters
    wrapped: frozenset[int] = frozenset()  # columns whose long texts wrap in XLSX

    @property
    def file_name(self) -> str:
        return f"{slugify(self.title) or self.key}.csv"


def workshops_of(snapshot: Snapshot) -> tuple[WorkshopSnapshot, ...]:
    return snapshot.workshops if hasattr(snapshot, "workshops") else (snapshot,)


def headers() -> list[str]:
    return [
        gettext("Workshop"),
        gettext("Group"),
        gettext("Column"),
        gettext("Note"),
        gettext("Duplicate of"),
        gettext("Theme"),
        # Only the dots placed on the note: dots placed on a theme belong to no note.
        gettext("Votes on the note (votes on themes: see Themes)"),
        gettext("Time"),
        gettext("Author"),
    ]


def note_rows(snapshot: Snapshot) -> Iterator[list]:
    """Rows in board order (group, column, note, its duplicates), values not yet escaped."""
    for workshop in workshops_of(snapshot):
        texts = {n.ref: n.text for n in workshop.notes}
        for group in workshop.groups:
            for group_column in group.columns:
                for top in group_column.notes:
                    for note in (top, *top.duplicates):
                        theme = workshop.theme(note.theme_ref)
                        yield [
                            workshop.title,
                            group.name,
                            group_column.column.title,
                            note.text,
                            texts.get(note.merged_into, "") if note.merged_into else "",
                            theme.name if theme else "",
                            note.votes,
                            timezone.localtime(note.created_at).replace(tzinfo=None),
                            note.author,
                        ]


def theme_rows(snapshot: Snapshot) -> Iterator[list]:
    """One row per theme, ranked by votes within each workshop."""
    for workshop in workshops_of(snapshot):
        group_of = {n.ref: n.group_ref for n in workshop.notes}
        for theme in workshop.themes_by_votes():
            raised_by = {group_of[ref] for ref in theme.note_refs if ref in group_of}
            yield [
                workshop.title,
                theme.name,
                len(theme.note_refs),
                theme.votes,
                theme.note_votes,
                theme.total_votes,
                theme.group_count,
                # Board order, one name per line.
                "\n".join(g.name for g in workshop.groups if g.ref in raised_by),
            ]


def next_step_rows(snapshot: Snapshot) -> Iterator[list]:
    status = {"open": gettext("Open"), "done": gettext("Done")}
    for workshop in workshops_of(snapshot):
        notes = {n.ref: n.text for n in workshop.notes}
        for step in workshop.next_steps:
            themes = (workshop.theme(ref) for ref in step.theme_refs)
            yield [
                workshop.title,
                step.title,
                step.owner_name,
                step.due_date,
                status.get(step.status, step.status),
                "\n".join(t.name for t in themes if t),
                "\n".join(notes[ref] for ref in step.note_refs if ref in notes),
            ]


def tables(snapshot: Snapshot) -> list[Table]:
    return [
        Table(
            "notes",
            gettext("Notes"),
            headers(),
            note_rows(snapshot),
            (28, 14, 18, 60, 40, 24, 12, 17, 18),
            frozenset({3, 4}),
        ),
        Table(
            "themes",
            gettext("Themes"),
            [
                gettext("Workshop"),
                gettext("Theme"),
                gettext("Notes"),
                gettext("Votes on the theme"),
                gettext("Votes on its notes"),
                gettext("Votes in all"),
                gettext("Groups"),
                gettext("Groups that raised it"),
            ],
            theme_rows(snapshot),
            (28, 40, 8, 12, 12, 10, 8, 30),
            frozenset({1, 7}),
        ),
        Table(
            "next_steps",
            gettext("Next steps"),
            [
                gettext("Workshop"),
                gettext("What"),
                gettext("Who takes the lead?"),
                gettext("By when?"),
                gettext("Status"),
                gettext("Themes"),
                gettext("Notes"),
            ],
            next_step_rows(snapshot),
            (28, 50, 22, 12, 10, 30, 50),
            frozenset({1, 5, 6}),
        ),
    ]


# What XML 1.0 (the format inside every .xlsx) cannot hold: C0 controls other than tab,
# line feed and carriage return, and the non-characters U+FFFE and U+FFFF. openpyxl refuses
# the controls (IllegalCharacterError) and writes the other two into a file that no
# spreadsheet program opens, so a single note could break the export.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"


def _safe(value):
    # The text policy once more on the way out: a row stored before it existed, with a
    # control character openpyxl refuses (IllegalCharacterError), must still export.
    return neutralise_cell(clean_text(value)) if isinstance(value, str) else value


def _xml_safe(value):
    return _NOT_IN_XML.sub(REPLACEMENT, value) if isinstance(value, str) else value


def _csv_value(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else _safe(value)


def render_csv_table(table: Table) -> bytes:
    """One table as CSV: UTF-8 with a byte order mark, so Excel reads å, ä and ö right;
    comma separated, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_csv(snapshot: Snapshot) -> bytes:
    """A ZIP of one CSV file per table (notes, themes, next steps), named in the active
    language ("lappar.csv", "teman.csv", "nasta-steg.csv").

    Stored, not compressed, like the poster's ZIP, and dated on the (last) workshop's day
    rather than the clock, so the same workshop always gives the same bytes.
    """
    # A ZIP entry's date holds the years 1980-2107 only; a workshop dated outside them
    # (an import may carry any year from 1900 to 2199) gives its files the nearest day.
    days = [
        min(max(w.date, dt.date(1980, 1, 1)), dt.date(2107, 12, 31))
        for w in workshops_of(snapshot)
        if w.date
    ]
    day = max(days, default=dt.date(1980, 1, 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for table in tables(snapshot):
            info = zipfile.ZipInfo(
                table.file_name, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            archive.writestr(info, render_csv_table(table))
    return buffer.getvalue()


def render_xlsx(snapshot: Snapshot) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for table in tables(snapshot):
        sheet = workbook.create_sheet(table.title[:31])
        sheet.freeze_panes = "A2"
        for index, width in enumerate(table.widths, 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        header_cells = []
        for title in table.headers:
            cell = WriteOnlyCell(sheet, value=_xml_safe(_safe(title)))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in table.rows:
            cells = []
            for index, value in enumerate(row):
                cell = WriteOnlyCell(sheet, value=_xml_safe(_safe(value)))
                if isinstance(value, str):
                    # A string cell, never a formula, whatever openpyxl would guess.
                    cell.data_type = "s"
                if index in table.wrapped:
                    cell.alignment = wrap
                if isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
