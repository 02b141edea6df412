"""The PDF report: real, selectable text typeset with ReportLab in the bundled font.

Cover (challenge, date, place, facilitators, participation figures), one section per
group with its board columns, a synthesis of themes across groups ranked by votes and by
how many groups raised them, the next steps with owners and dates, and where to find the
poster. The poster is not embedded: its pages are made for A3, and on an A4 page even in
landscape its smallest text (20 px at 150 dpi, 9.6 pt on A3) would shrink to 6–7 pt, too
small to read; the report already holds every word, so it names the poster file instead.
ReportLab's open-source edition cannot write a tagged (PDF/UA) structure tree; the report
sets title, author, subject, keywords and document language, and keeps a logical reading
order with real headings in the outline.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import get_language, gettext, ngettext

from ..fonts import PDF_BOLD, PDF_REGULAR, register_pdf_fonts
from ..snapshot import Snapshot, WorkshopSnapshot
from .poster import poster_page_count


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=PDF_REGULAR, fontSize=10, leading=13.5, splitLongWords=1)
    navy = colors.HexColor("#17375e")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=colors.HexColor("#5a6069")),
        "title": ParagraphStyle("title", parent=base, fontName=PDF_BOLD, fontSize=24, leading=29, textColor=navy, spaceAfter=10),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=15, leading=20, spaceAfter=16),
        "h1": ParagraphStyle("h1", parent=base, fontName=PDF_BOLD, fontSize=17, leading=22, textColor=navy, spaceBefore=6, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=PDF_BOLD, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5),
        "cellbold": ParagraphStyle("cellbold", parent=base, fontName=PDF_BOLD, fontSize=9.5, leading=12.5),
    }  # fmt: skip


def _p(text: str, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "–"


def _heading(text: str, style, level: int, key: str):
    """A heading that also becomes an entry in the PDF outline (bookmarks)."""
    from reportlab.platypus import Paragraph

    class _Heading(Paragraph):
        def draw(self):
            super().draw()
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text[:120], key, level=level, closed=level > 0)

    return _Heading(escape(text), style)


def _table(rows, widths, header=True):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#c8ccd2")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff4")))
    table.setStyle(TableStyle(commands))
    return table


def _workshop_story(w: WorkshopSnapshot, styles, index: int) -> list:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Spacer

    s = styles
    story: list = []
    key = f"w{index}"
    story.append(_p(w.organisation_name, s["small"]))
    story.append(_heading(w.challenge_question, s["title"], 0, key))
    if w.challenge_description:
        story.append(_p(w.challenge_description, s["body"]))
        story.append(Spacer(1, 6))
    story.append(_p(f"{w.title}: {w.question}", s["subtitle"]))
    facts = [
        (gettext("Date"), _date(w.date)),
        (gettext("Place"), w.place or "–"),
        (gettext("Facilitators"), ", ".join(w.facilitator_names) or "–"),
        (gettext("Participants"), str(w.participant_count)),
        (gettext("Participants who wrote notes"), str(w.contributor_count)),
        (gettext("Groups"), str(len(w.groups))),
        (gettext("Notes"), str(w.note_count)),
        (gettext("Votes"), str(w.vote_count)),
        (gettext("Themes"), str(len(w.themes))),
    ]
    story.append(
        _table(
            [[_p(k, s["cellbold"]), _p(v, s["cell"])] for k, v in facts],
            [55 * mm, 115 * mm],
            header=False,
        )
    )
    story.append(PageBreak())

    story.append(_heading(gettext("The groups' boards"), s["h1"], 1, f"{key}-groups"))
    theme_names = {t.ref: t.name for t in w.themes}
    for g_index, group in enumerate(w.groups):
        block = [_heading(group.name, s["h2"], 2, f"{key}-g{g_index}")]
        for group_column in group.columns:
            column = group_column.column
            title = column.title.upper() + (f" – {column.prompt}" if column.prompt else "")
            rows = [[_p(title, s["cellbold"]), _p(gettext("Votes"), s["cellbold"])]]
            for note in group_column.notes:
                for item, duplicate in [(note, False)] + [(d, True) for d in note.duplicates]:
                    text = ("↳ " + gettext("Duplicate:") + " " if duplicate else "• ") + item.text
                    details = [item.author]
                    if item.theme_ref in theme_names:
                        details.append(
                            gettext("Theme: %(name)s") % {"name": theme_names[item.theme_ref]}
                        )
                    rows.append(
                        [
                            [_p(text, s["cell"]), _p(" · ".join(details), s["small"])],
                            _p(str(item.votes or ""), s["cell"]),
                        ]
                    )
            if len(rows) == 1:
                rows.append([_p(gettext("No notes."), s["small"]), ""])
            block.append(_table(rows, [150 * mm, 20 * mm]))
            block.append(Spacer(1, 4))
        story.append(KeepTogether(block[:2]))
        story.extend(block[2:])

    story.append(PageBreak())
    story.append(
        _heading(gettext("Synthesis: themes across groups"), s["h1"], 1, f"{key}-synthesis")
    )
    if not w.themes:
        story.append(_p(gettext("No themes were formed in this workshop."), s["body"]))
    else:
        story.append(
            _p(gettext("Ranked by votes (dots on the theme and on its notes)."), s["small"])
        )
        rows = [
            [
                _p(h, s["cellbold"])
                for h in (gettext("Theme"), gettext("Votes"), gettext("Groups"), gettext("Notes"))
            ]
        ]
        for theme in w.themes_by_votes():
            rows.append(
                [
                    _p(theme.name, s["cell"]),
                    str(theme.total_votes),
                    str(theme.group_count),
                    str(len(theme.note_refs)),
                ]
            )
        story.append(_table(rows, [110 * mm, 20 * mm, 20 * mm, 20 * mm]))
        story.append(Spacer(1, 8))
        story.append(_p(gettext("Ranked by how many groups raised them."), s["small"]))
        rows = [
            [_p(h, s["cellbold"]) for h in (gettext("Theme"), gettext("Groups"), gettext("Votes"))]
        ]
        for theme in w.themes_by_groups():
            rows.append([_p(theme.name, s["cell"]), str(theme.group_count), str(theme.total_votes)])
        story.append(_table(rows, [130 * mm, 20 * mm, 20 * mm]))

    story.append(_heading(gettext("Next steps"), s["h1"], 1, f"{key}-next"))
    if not w.next_steps:
        story.append(_p(gettext("No next steps were agreed."), s["body"]))
    else:
        status = {"open": gettext("Open"), "done": gettext("Done")}
        rows = [
            [
                _p(h, s["cellbold"])
                for h in (
                    gettext("What"),
                    gettext("Who takes the lead?"),
                    gettext("By when?"),
                    gettext("Status"),
                )
            ]
        ]
        for step in w.next_steps:
            linked = [theme_names[r] for r in step.theme_refs if r in theme_names]
            what = [_p(step.title, s["cell"])]
            if linked:
                what.append(
                    _p(gettext("Themes: %(names)s") % {"names": ", ".join(linked)}, s["small"])
                )
            rows.append(
                [
                    what,
                    _p(step.owner_name or "–", s["cell"]),
                    _p(_date(step.due_date), s["cell"]),
                    _p(status.get(step.status, step.status), s["cell"]),
                ]
            )
        story.append(_table(rows, [85 * mm, 40 * mm, 27 * mm, 18 * mm]))

    story.append(_heading(gettext("Poster"), s["h1"], 1, f"{key}-poster"))
    pages = poster_page_count(w)
    story.append(
        _p(
            ngettext(
                "The poster is a file of its own: %(count)s page in A3 landscape, to print or "
                "show full-screen. Export “%(kind)s” on the workshop's page to get it.",
                "The poster is a file of its own: %(count)s pages in A3 landscape, to print or "
                "show full-screen. Export “%(kind)s” on the workshop's page to get it.",
                pages,
            )
            % {"count": pages, "kind": gettext("Poster (PNG)")},
            s["body"],
        )
    )
    story.append(PageBreak())
    return story


def render_pdf(snapshot: Snapshot) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    register_pdf_fonts()
    styles = _styles()
    workshops = snapshot.workshops if hasattr(snapshot, "workshops") else (snapshot,)
    title_text = (
        snapshot.question
        if hasattr(snapshot, "workshops")
        else f"{snapshot.title} – {snapshot.challenge_question}"
    )
    exported = gettext("Exported from Labb on %(date)s") % {
        "date": formats.date_format(snapshot.exported_at, "DATE_FORMAT")
    }

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(PDF_REGULAR, 8)
        canvas.setFillGray(0.4)
        canvas.drawString(18 * mm, 10 * mm, exported)
        canvas.drawRightString(
            A4[0] - 18 * mm, 10 * mm, gettext("Page %(page)s") % {"page": doc.page}
        )
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title_text,
        author=snapshot.organisation_name,
        subject=gettext("Workshop documentation"),
        keywords=["Labb", gettext("workshop")],
        creator="Labb",
        lang=(get_language() or "sv").split("-")[0],
        displayDocTitle=True,
    )
    story: list = []
    for index, workshop in enumerate(workshops):
        story.extend(_workshop_story(workshop, styles, index))
    if not story:
        story.append(_p(title_text, styles["title"]))
        story.append(_p(gettext("This challenge has no workshops yet."), styles["body"]))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


__all__ = ["render_pdf"]
