"""The PDF report: a Django HTML template typeset by WeasyPrint, tagged, PDF/A-2b and PDF/UA-1.

Per workshop: a cover (challenge, description, date, place, facilitators, participation
figures), one section per group with its board columns as lists of notes, a synthesis of
themes across groups (a bar chart of votes and two tables, by votes and by groups), the
next steps with owners and dates, and the poster: a reduced preview of its first page and
where to find the file (its A3 pages are not embedded: shrunk to A4 their text could not
be read; the report holds every word anyway).

One file is both PDF/A-2b and PDF/UA-1 (docs/exports.md): WeasyPrint writes the PDF/A-2b
variant with its structure tree on (headings, lists, tables, figures with alt text), the
document language (/Lang), DisplayDocTitle and the bundled fonts embedded; `_declare_pdf_ua`
adds the PDF/UA-1 identification (and its PDF/A extension schema) to the XMP metadata.
Pango and HarfBuzz shape right-to-left text; each note written in a right-to-left script
is its own paragraph with `dir="rtl"`.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, ngettext

from ..fonts import FONT_DIR, report_font_faces
from ..snapshot import NoteSnapshot, Snapshot, WorkshopSnapshot
from ..text import displayable, is_rtl
from .poster import iter_poster_pages, poster_page_count

TEMPLATE = "workshops/exports/report.html"
STYLESHEET = (
    Path(__file__).resolve().parents[3] / "templates" / "workshops" / "exports" / "report.css"
)
# The bar chart shows the themes with most votes; the tables below it rank every theme.
CHART_THEMES = 10
CHART_LABEL_CHARS = 38
# The poster preview: half the poster's 2480 px, enough for a 170 mm wide figure at 185 dpi.
PREVIEW_WIDTH = 1240

# PDF/UA identification (ISO 14289-1, 5) plus the extension schema PDF/A requires for any
# property outside its predefined schemas (ISO 19005-2, 6.6.2.3).
PDF_UA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed\
</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>
"""


@dataclass(frozen=True)
class _Item:
    """A note as the report lists it."""

    text: str
    rtl: bool
    details: str
    duplicates: tuple[_Item, ...] = ()


@dataclass(frozen=True)
class _Bar:
    label: str
    votes: int
    y: int
    width: float


def _text(value: str) -> str:
    """User text as the report draws it: line and paragraph separators as line breaks (Pango
    has no glyph for them, and PDF/A forbids drawing .notdef), and a box for each cluster
    the bundled font cannot draw."""
    return displayable(value.replace("\u2028", "\n").replace("\u2029", "\n"))


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else "–"


def _item(note: NoteSnapshot, theme_names: dict[str, str]) -> _Item:
    details = [_text(note.author)]
    if note.theme_ref in theme_names:
        details.append(gettext("Theme: %(name)s") % {"name": theme_names[note.theme_ref]})
    if note.votes:
        details.append(
            ngettext("%(count)s vote", "%(count)s votes", note.votes) % {"count": note.votes}
        )
    return _Item(
        text=_text(note.text),
        rtl=is_rtl(note.text),
        details=" · ".join(details),
        duplicates=tuple(_item(d, theme_names) for d in note.duplicates),
    )


def _chart(w: WorkshopSnapshot) -> dict | None:
    """The votes per theme as bars of an SVG chart, with its text alternative."""
    ranked = [t for t in w.themes_by_votes() if t.total_votes][:CHART_THEMES]
    if not ranked:
        return None
    top = ranked[0].total_votes
    bars = []
    for index, theme in enumerate(ranked):
        name = _text(theme.name)
        if len(name) > CHART_LABEL_CHARS:
            name = name[: CHART_LABEL_CHARS - 1].rstrip() + "…"
        bars.append(_Bar(name, theme.total_votes, 8 + index * 26, 300 * theme.total_votes / top))
    alt = gettext("Bar chart of votes per theme, most first: %(bars)s.") % {
        "bars": "; ".join(
            f"{_text(t.name)}: "
            + ngettext("%(count)s vote", "%(count)s votes", t.total_votes)
            % {"count": t.total_votes}
            for t in ranked
        )
    }
    return {
        "bars": bars,
        "alt": alt,
        "height": 16 + len(bars) * 26,
        "more": len(w.themes) > len(ranked),
    }


def _poster_preview(w: WorkshopSnapshot) -> dict:
    """The poster's first page, reduced, as a data: URL, and its text alternative."""
    image = next(iter_poster_pages(w)).image
    # Halving by averaging 2 × 2 pixels (Pillow's reduce) and light PNG compression: the
    # preview costs about 0.13 s of CPU instead of 0.2 s with a Lanczos resize.
    small = image.convert("RGB").reduce(image.width // PREVIEW_WIDTH)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", compress_level=1)
    themes = [
        f"{_text(t.name)} ("
        + ngettext("%(count)s vote", "%(count)s votes", t.total_votes) % {"count": t.total_votes}
        + ")"
        for t in w.themes_by_votes()[:6]
    ]
    alt = gettext(
        "Page 1 of the poster, reduced: the workshop “%(title)s”, %(date)s, its figures "
        "(%(notes)s notes, %(votes)s votes) and the themes ranked by votes: %(themes)s."
    ) % {
        "title": _text(w.title),
        "date": _date(w.date),
        "notes": w.note_count,
        "votes": w.vote_count,
        "themes": ", ".join(themes) if themes else gettext("none"),
    }
    return {
        "src": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
        "alt": alt,
    }


def _workshop(w: WorkshopSnapshot) -> dict:
    theme_names = {t.ref: _text(t.name) for t in w.themes}
    status = {"open": gettext("Open"), "done": gettext("Done")}
    pages = poster_page_count(w)
    return {
        "cover": {
            "organisation": _text(w.organisation_name),
            "challenge": _text(w.challenge_question),
            "description": _text(w.challenge_description),
            "title": _text(w.title),
            "question": _text(w.question),
        },
        "facts": [
            (gettext("Date"), _date(w.date)),
            (gettext("Place"), _text(w.place) or "–"),
            (gettext("Facilitators"), _text(", ".join(w.facilitator_names)) or "–"),
            (gettext("Participants"), w.participant_count),
            (gettext("Participants who wrote notes"), w.contributor_count),
            (gettext("Groups"), len(w.groups)),
            (gettext("Notes"), w.note_count),
            (gettext("Votes"), w.vote_count),
            (gettext("Themes"), len(w.themes)),
        ],
        "groups": [
            {
                "name": _text(group.name),
                "columns": [
                    {
                        "title": _text(gc.column.title),
                        "prompt": _text(gc.column.prompt),
                        "items": [_item(n, theme_names) for n in gc.notes],
                    }
                    for gc in group.columns
                ],
            }
            for group in w.groups
        ],
        "chart": _chart(w),
        "themes_by_votes": [
            (theme_names[t.ref], t.total_votes, t.group_count, len(t.note_refs))
            for t in w.themes_by_votes()
        ],
        "themes_by_groups": [
            (theme_names[t.ref], t.group_count, t.total_votes) for t in w.themes_by_groups()
        ],
        "next_steps": [
            {
                "title": _text(step.title),
                "themes": ", ".join(theme_names[r] for r in step.theme_refs if r in theme_names),
                "owner": _text(step.owner_name) or "–",
                "due": _date(step.due_date),
                "status": status.get(step.status, step.status),
            }
            for step in w.next_steps
        ],
        "poster_note": ngettext(
            "The poster is a file of its own: %(count)s page in A3 landscape, to print or "
            "show full-screen. Export “%(kind)s” on the workshop's page to get it.",
            "The poster is a file of its own: %(count)s pages in A3 landscape, to print or "
            "show full-screen. Export “%(kind)s” on the workshop's page to get it.",
            pages,
        )
        % {"count": pages, "kind": gettext("Poster (PNG)")},
        "poster": _poster_preview(w),
    }


def _w3c_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _declare_pdf_ua(document, pdf) -> None:
    """WeasyPrint's finisher hook: add the PDF/UA-1 identification to the XMP metadata
    that the PDF/A-2b variant wrote, inside its one rdf:RDF element."""
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    xmp = b"".join(metadata.stream)
    metadata.stream = [xmp.replace(b"</rdf:RDF>", PDF_UA_XMP + b"</rdf:RDF>", 1)]


def report_html(snapshot: Snapshot) -> str:
    """The report as HTML (what WeasyPrint typesets), in the active language."""
    workshops = snapshot.workshops if hasattr(snapshot, "workshops") else (snapshot,)
    title = (
        snapshot.question
        if hasattr(snapshot, "workshops")
        else f"{snapshot.title} – {snapshot.challenge_question}"
    )
    exported_at = timezone.localtime(snapshot.exported_at)
    return render_to_string(
        TEMPLATE,
        {
            "lang": (get_language() or "sv").split("-")[0],
            "title": _text(title),
            "organisation": _text(snapshot.organisation_name),
            "created": _w3c_time(exported_at),
            "exported": gettext("Exported from Labb on %(date)s")
            % {"date": formats.date_format(exported_at, "DATE_FORMAT")},
            "workshops": [_workshop(w) for w in workshops],
        },
    )


def report_url_fetcher():
    """WeasyPrint's URL fetcher, allowed only the bundled fonts and data: URLs (the poster
    preview): the report never goes to the network nor reads another file, whatever a
    template or a stylesheet asks for."""
    from urllib.parse import unquote, urlsplit

    from weasyprint import URLFetcher

    class ReportFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            allowed = parts.scheme == "data" or (
                parts.scheme == "file" and Path(unquote(parts.path)).resolve().parent == FONT_DIR
            )
            if not allowed:
                raise ValueError(f"The report may not fetch {url[:80]}")
            return super().fetch(url, headers)

    return ReportFetcher(allowed_protocols=("data", "file"))


def render_pdf(snapshot: Snapshot) -> bytes:
    """The report as PDF bytes: A4 portrait, PDF/A-2b and PDF/UA-1."""
    from weasyprint import CSS, HTML

    fetcher = report_url_fetcher()
    stylesheets = [
        CSS(string=report_font_faces(), url_fetcher=fetcher),
        CSS(filename=str(STYLESHEET), url_fetcher=fetcher),
    ]
    html = HTML(string=report_html(snapshot), base_url=str(STYLESHEET.parent), url_fetcher=fetcher)
    return html.write_pdf(
        stylesheets=stylesheets,
        pdf_variant="pdf/a-2b",
        pdf_tags=True,
        finisher=_declare_pdf_ua,
    )


__all__ = ["render_pdf", "report_html", "report_url_fetcher"]
