"""CSV and XLSX: one row per shown note, safe to open in any spreadsheet program."""

import csv
import io
import re
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext

from labb.text import clean_text

from ..snapshot import Snapshot, WorkshopSnapshot
from ..text import neutralise_cell


def headers() -> list[str]:
    return [
        gettext("Workshop"),
        gettext("Group"),
        gettext("Column"),
        gettext("Note"),
        gettext("Duplicate of"),
        gettext("Theme"),
        gettext("Votes"),
        gettext("Time"),
        gettext("Author"),
    ]


def workshops_of(snapshot: Snapshot) -> tuple[WorkshopSnapshot, ...]:
    return snapshot.workshops if hasattr(snapshot, "workshops") else (snapshot,)


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


def render_csv(snapshot: Snapshot) -> bytes:
    """UTF-8 with a byte order mark, so Excel reads å, ä and ö right; comma separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers())
    for row in note_rows(snapshot):
        row[7] = row[7].strftime("%Y-%m-%d %H:%M")
        writer.writerow([_safe(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(snapshot: Snapshot) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("Notes")[:31])
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (28, 14, 18, 60, 40, 24, 7, 17, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header_cells = []
    for title in headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in note_rows(snapshot):
        cells = []
        for index, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=_xml_safe(_safe(value)))
            if isinstance(value, str):
                # A string cell, never a formula, whatever openpyxl would guess.
                cell.data_type = "s"
            if index in (3, 4):
                cell.alignment = wrap
            if index == 7:
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
