"""The poster: PNG pages sized for A3 landscape at 150 dpi (2480 × 1754 px).

Large workshops are paged, never shrunk: page 1 carries the challenge, the question, the
participation figures and the themes as labelled clusters ranked by votes; the following
pages carry the groups' boards, about four groups of fifteen notes per page, flowing in two
lanes. A group whose board does not fit the rest of a lane continues in the next lane with
"(continued)". Text sizes therefore stay the same whatever the size of the workshop:
at least 20 px, which is 3.4 mm on A3 paper and about 15 px on a 1080p projector.
A sticky note shows up to four lines; longer notes end with an ellipsis, and a page that
cuts a text says in its footer that the PDF report and the spreadsheet carry every word.

Each page keeps a log of what it drew (`Page.items`: text and card boxes as Pillow laid
them out), so tests check the layout (nothing drawn over a card) without reading pixels.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext, ngettext

from ..fonts import pil_font
from ..snapshot import GroupSnapshot, NoteSnapshot, Snapshot, WorkshopSnapshot
from ..text import displayable, ellipsize, is_rtl, wrap_cut

WIDTH, HEIGHT = 2480, 1754
MARGIN = 70
GAP = 14
LANES = 2
LANE_GAP = 50
STICKY_W, STICKY_H = 258, 150
STICKY_PAD = 12
NOTE_SIZE, NOTE_LINE, NOTE_LINES = 20, 24, 4
GROUP_HEADER_H, COLUMN_HEADER_H = 54, 40

INK = (33, 37, 41)
MUTED = (90, 96, 105)
PAPER = (255, 255, 255)
BAND = (23, 55, 94)
COLOURS = {
    "yellow": (255, 238, 140),
    "green": (190, 236, 180),
    "pink": (255, 200, 214),
    "blue": (186, 220, 255),
    "orange": (255, 210, 160),
    "purple": (220, 205, 250),
    "grey": (225, 225, 225),
}
DEFAULT_COLOUR = COLOURS["yellow"]


def _colour(name: str) -> tuple[int, int, int]:
    return COLOURS.get(name.lower(), DEFAULT_COLOUR)


def _lighter(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    return tuple(int(c + (255 - c) * 0.55) for c in colour)


@dataclass
class _Placement:
    lane: int
    y: int
    group: GroupSnapshot
    first_row: int
    last_row: int  # exclusive
    continued: bool


@dataclass(frozen=True)
class Item:
    """Something drawn on a page: "text" (with its text) or "card", and its box."""

    kind: str
    box: tuple[float, float, float, float]  # left, top, right, bottom in pixels
    text: str = ""

    def overlaps(self, other: Item) -> bool:
        a, b = self.box, other.box
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class _Canvas:
    def __init__(self):
        from PIL import Image, ImageDraw

        self.image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
        self.draw = ImageDraw.Draw(self.image)
        self.items: list[Item] = []
        self.cut = False  # a text on this page ends with an ellipsis

    def _draw_text(self, xy, text, font, fill):
        self.draw.text(xy, text, font=font, fill=fill)
        self.items.append(Item("text", self.draw.textbbox(xy, text, font=font), text))

    def card(self, box, **kwargs):
        self.draw.rectangle(box, **kwargs)
        self.items.append(Item("card", tuple(box)))

    def text(self, xy, text, *, size, bold=False, fill=INK, max_width=None):
        font = pil_font(size, bold=bold)
        text = displayable(text)
        if max_width:
            whole = " ".join(text.split())
            text = ellipsize(text, font.getlength, max_width)
            self.cut = self.cut or text != whole
        x, y = xy
        if max_width and is_rtl(text):
            x = x + max_width - font.getlength(text)
        self._draw_text((x, y), text, font, fill)
        return font.getlength(text)

    def paragraph(self, xy, text, *, size, line_height, max_width, max_lines, bold=False, fill=INK):
        font = pil_font(size, bold=bold)
        lines, cut = wrap_cut(displayable(text), font.getlength, max_width, max_lines)
        self.cut = self.cut or cut
        x, y = xy
        for line in lines:
            lx = x + max_width - font.getlength(line) if is_rtl(line) else x
            self._draw_text((lx, y), line, font, fill)
            y += line_height
        return len(lines)

    def finish(self) -> _Canvas:
        """The footer: where the full texts are, on a page that cut one short."""
        if self.cut:
            self.text(
                (MARGIN, HEIGHT - MARGIN + 18),
                gettext(
                    "Texts ending in “…” are shortened here: the full texts are in the PDF "
                    "report and the spreadsheet."
                ),
                size=20,
                fill=MUTED,
            )
        return self

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG", compress_level=3)
        return buffer.getvalue()


def _cells(group: GroupSnapshot) -> list[list[tuple[NoteSnapshot, bool]]]:
    """Per column, the stickies in order: each note, then its duplicates (flagged)."""
    return [
        [
            (item, is_dup)
            for note in gc.notes
            for item, is_dup in [(note, False)] + [(d, True) for d in note.duplicates]
        ]
        for gc in group.columns
    ]


def _layout(columns: int) -> tuple[int, int]:
    """Width of one board column in a lane and stickies per row in it."""
    lane_w = (WIDTH - 2 * MARGIN - (LANES - 1) * LANE_GAP) // LANES
    col_w = (lane_w - (columns - 1) * GAP) // max(columns, 1)
    per_row = max(1, (col_w + GAP) // (STICKY_W + GAP))
    return col_w, per_row


def _plan(workshop: WorkshopSnapshot, top: int) -> list[list[_Placement]]:
    """Flow the groups through lanes and pages, splitting a board between rows if needed."""
    _, per_row = _layout(len(workshop.columns))
    row_h = STICKY_H + GAP
    bottom = HEIGHT - MARGIN
    pages: list[list[_Placement]] = [[]]
    lane, y = 0, top
    for group in workshop.groups:
        rows = max((math.ceil(len(c) / per_row) for c in _cells(group)), default=0)
        rows = max(rows, 1)
        first = 0
        while first < rows:
            fit = (bottom - y - GROUP_HEADER_H - COLUMN_HEADER_H) // row_h
            if fit < 1 or (fit < rows - first and fit < 2 and y > top):
                lane += 1
                y = top
                if lane == LANES:
                    pages.append([])
                    lane = 0
                continue
            last = min(rows, first + max(fit, 1))
            pages[-1].append(_Placement(lane, y, group, first, last, first > 0))
            y += GROUP_HEADER_H + COLUMN_HEADER_H + (last - first) * row_h + 30
            first = last
    return [p for p in pages if p]


def _draw_sticky(canvas: _Canvas, x: int, y: int, note: NoteSnapshot, colour, duplicate: bool):
    fill = _lighter(colour) if duplicate else colour
    canvas.draw.rectangle((x + 3, y + 4, x + STICKY_W + 3, y + STICKY_H + 4), fill=(210, 210, 210))
    canvas.card(
        (x, y, x + STICKY_W, y + STICKY_H),
        fill=fill,
        outline=(150, 150, 150) if duplicate else None,
    )
    inner = STICKY_W - 2 * STICKY_PAD
    canvas.paragraph(
        (x + STICKY_PAD, y + STICKY_PAD),
        note.text,
        size=NOTE_SIZE,
        line_height=NOTE_LINE,
        max_width=inner,
        max_lines=NOTE_LINES,
    )
    footer_y = y + STICKY_H - STICKY_PAD - 18
    label = gettext("duplicate") if duplicate else ""
    if label:
        canvas.text(
            (x + STICKY_PAD, footer_y), "≡ " + label, size=15, fill=MUTED, max_width=inner - 60
        )
    if note.votes:
        badge = f"● {note.votes}"
        font = pil_font(17, bold=True)
        width = font.getlength(badge)
        canvas.text(
            (x + STICKY_W - STICKY_PAD - width, footer_y - 1),
            badge,
            size=17,
            bold=True,
            fill=(180, 30, 60),
        )


def _page_header(canvas: _Canvas, workshop: WorkshopSnapshot, page: int, pages: int) -> int:
    canvas.draw.rectangle((0, 0, WIDTH, 90), fill=BAND)
    right = gettext("Page %(page)s of %(pages)s") % {"page": page, "pages": pages} if page else ""
    right_w = pil_font(24).getlength(right)
    canvas.text((WIDTH - MARGIN - right_w, 30), right, size=24, fill=PAPER)
    canvas.text(
        (MARGIN, 26),
        f"{workshop.title} · {workshop.question}",
        size=30,
        bold=True,
        fill=PAPER,
        max_width=WIDTH - 2 * MARGIN - right_w - 40,
    )
    return 90 + 30


def _draw_groups_page(canvas: _Canvas, workshop: WorkshopSnapshot, placements: list[_Placement]):
    col_w, per_row = _layout(len(workshop.columns))
    lane_w = (WIDTH - 2 * MARGIN - (LANES - 1) * LANE_GAP) // LANES
    for p in placements:
        x0 = MARGIN + p.lane * (lane_w + LANE_GAP)
        y = p.y
        canvas.draw.rectangle((x0, y, x0 + lane_w, y + GROUP_HEADER_H - 8), fill=(236, 240, 245))
        name = p.group.name + (" " + gettext("(continued)") if p.continued else "")
        count = ngettext("%(count)s note", "%(count)s notes", p.group.note_count) % {
            "count": p.group.note_count
        }
        count_w = pil_font(22).getlength(count)
        canvas.text((x0 + 12, y + 8), name, size=30, bold=True, max_width=lane_w - count_w - 40)
        canvas.text((x0 + lane_w - count_w - 12, y + 13), count, size=22, fill=MUTED)
        y += GROUP_HEADER_H
        for index, (group_column, stickies) in enumerate(
            zip(p.group.columns, _cells(p.group), strict=True)
        ):
            cx = x0 + index * (col_w + GAP)
            colour = _colour(group_column.column.colour)
            canvas.draw.rectangle((cx, y, cx + col_w, y + 6), fill=colour)
            canvas.text(
                (cx, y + 8), group_column.column.title.upper(), size=22, bold=True, max_width=col_w
            )
            visible = stickies[p.first_row * per_row : p.last_row * per_row]
            for i, (note, duplicate) in enumerate(visible):
                sx = cx + (i % per_row) * (STICKY_W + GAP)
                sy = y + COLUMN_HEADER_H + (i // per_row) * (STICKY_H + GAP)
                _draw_sticky(canvas, sx, sy, note, colour, duplicate)


THEME_W, THEME_H = 745, 340
# Inside a theme: the title and summary take 100 px, then two rows of cards (MINI_H + GAP
# each), then the "and N more" line (18 px type, about 22 px with descenders) at MORE_Y.
MINI_H = 96
MORE_Y = 100 + 2 * MINI_H + GAP + 8


def _theme_slots(count: int) -> list[tuple[int, int, int]]:
    """Where each theme goes: (overview page index, x, y); page 0 starts below the
    figures, a further page below its header band."""
    per_row = (WIDTH - 2 * MARGIN + 40) // (THEME_W + 40)
    slots = []
    page, y, i = 0, 500, 0
    for _ in range(count):
        if y + THEME_H > HEIGHT - MARGIN:
            page, y, i = page + 1, 90 + 30 + 10, 0
        slots.append((page, MARGIN + i * (THEME_W + 40), y))
        i += 1
        if i == per_row:
            i, y = 0, y + THEME_H + 30
    return slots


def poster_page_count(workshop: WorkshopSnapshot) -> int:
    """How many pages the workshop's poster has, worked out without drawing it."""
    slots = _theme_slots(len(workshop.themes))
    overview = slots[-1][0] + 1 if slots else 1
    return overview + len(_plan(workshop, top=120))


def _overview_pages(workshop: WorkshopSnapshot) -> list[_Canvas]:
    """The first page (challenge, question, figures, themes), plus more pages if there
    are more themes than fit."""
    pages = []
    canvas = _Canvas()
    canvas.draw.rectangle((0, 0, WIDTH, 340), fill=BAND)
    when = " · ".join(
        part
        for part in (
            workshop.organisation_name,
            formats.date_format(workshop.date, "DATE_FORMAT"),
            workshop.place,
        )
        if part
    )
    # The workshop's title, then organisation, date and place on the same line.
    title_w = canvas.text(
        (MARGIN, 36), workshop.title, size=30, bold=True, fill=PAPER, max_width=WIDTH * 0.6
    )
    canvas.text(
        (MARGIN + title_w + 6, 40),
        f" · {when}" if workshop.title else when,
        size=28,
        fill=(200, 215, 235),
        max_width=WIDTH - 2 * MARGIN - title_w - 6,
    )
    canvas.paragraph(
        (MARGIN, 90), workshop.challenge_question, size=54, line_height=66,
        max_width=WIDTH - 2 * MARGIN, max_lines=2, bold=True, fill=PAPER,
    )  # fmt: skip
    canvas.text((MARGIN, 250), workshop.question, size=40, fill=PAPER, max_width=WIDTH - 2 * MARGIN)
    figures = " · ".join(
        (
            ngettext("%(count)s participant", "%(count)s participants", workshop.participant_count)
            % {"count": workshop.participant_count},
            ngettext("%(count)s group", "%(count)s groups", len(workshop.groups))
            % {"count": len(workshop.groups)},
            ngettext("%(count)s note", "%(count)s notes", workshop.note_count)
            % {"count": workshop.note_count},
            ngettext("%(count)s vote", "%(count)s votes", workshop.vote_count)
            % {"count": workshop.vote_count},
        )
    )
    canvas.text((MARGIN, 370), figures, size=30, fill=MUTED, max_width=WIDTH - 2 * MARGIN)
    canvas.text((MARGIN, 430), gettext("Themes, ranked by votes"), size=38, bold=True)
    themes = workshop.themes_by_votes()
    if not themes:
        canvas.text(
            (MARGIN, 500), gettext("No themes were formed in this workshop."), size=28, fill=MUTED
        )
    notes = {n.ref: n for n in workshop.notes}
    for rank, (theme, (page, x, y)) in enumerate(
        zip(themes, _theme_slots(len(themes)), strict=True), 1
    ):
        if page == len(pages) + 1:
            pages.append(canvas)
            canvas = _Canvas()
            _page_header(canvas, workshop, 0, 0)
        canvas.draw.rounded_rectangle(
            (x, y, x + THEME_W, y + THEME_H), radius=18, outline=BAND, width=3
        )
        canvas.text(
            (x + 20, y + 16), f"{rank}. {theme.name}", size=30, bold=True, max_width=THEME_W - 40
        )
        summary = " · ".join(
            (
                ngettext("%(count)s vote", "%(count)s votes", theme.total_votes)
                % {"count": theme.total_votes},
                ngettext(
                    "raised by %(count)s group", "raised by %(count)s groups", theme.group_count
                )
                % {"count": theme.group_count},
            )
        )
        canvas.text((x + 20, y + 58), summary, size=22, fill=(180, 30, 60), max_width=THEME_W - 40)
        members = sorted((notes[r] for r in theme.note_refs if r in notes), key=lambda n: -n.votes)
        mini_w, mini_h = (THEME_W - 40 - 2 * GAP) // 3, MINI_H
        for j, note in enumerate(members[:6]):
            mx = x + 20 + (j % 3) * (mini_w + GAP)
            my = y + 100 + (j // 3) * (mini_h + GAP)
            column = workshop.column(note.column_ref)
            canvas.card(
                (mx, my, mx + mini_w, my + mini_h), fill=_colour(column.colour if column else "")
            )
            canvas.paragraph(
                (mx + 8, my + 6),
                note.text,
                size=18,
                line_height=22,
                max_width=mini_w - 16,
                max_lines=4,
            )
        if len(members) > 6:
            more = gettext("and %(count)s more") % {"count": len(members) - 6}
            # In the band below the two rows of cards, never over the last one.
            canvas.text((x + 20, y + MORE_Y), more, size=18, fill=MUTED, max_width=THEME_W - 40)
    pages.append(canvas)
    return [page.finish() for page in pages]


def iter_poster_pages(snapshot: Snapshot) -> Iterator[_Canvas]:
    """The poster pages (image and layout log), one at a time so that only one page (13 MB
    of pixels) is held in memory however large the challenge."""
    workshops = snapshot.workshops if hasattr(snapshot, "workshops") else (snapshot,)
    for workshop in workshops:
        overview = _overview_pages(workshop)
        plan = _plan(workshop, top=120)
        total = len(overview) + len(plan)
        yield from overview
        del overview
        for number, placements in enumerate(plan, total - len(plan) + 1):
            canvas = _Canvas()
            _page_header(canvas, workshop, number, total)
            _draw_groups_page(canvas, workshop, placements)
            yield canvas.finish()


def iter_poster_images(snapshot: Snapshot) -> Iterator:
    """The poster pages as Pillow images, one at a time."""
    for page in iter_poster_pages(snapshot):
        yield page.image


def render_poster(snapshot: Snapshot) -> list[bytes]:
    """The poster as PNG pages, 2480 × 1754 px each (A3 landscape, 150 dpi)."""
    out = []
    for image in iter_poster_images(snapshot):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=3, dpi=(150, 150))
        out.append(buffer.getvalue())
    return out
