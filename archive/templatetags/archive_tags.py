from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from archive.search import highlight as _highlight

register = template.Library()


@register.filter
def highlight(text: str, stems) -> str:
    """Escape the text, then mark the words that match the search (see archive.search)."""
    return _highlight(text, stems or ())


@register.simple_tag
def filter_select(field: BoundField) -> SafeString:
    """A filter's <select> with its label and errors: the markup `_field.html` gives a
    select, built in Python. Django renders each <option> through a template of its own:
    the five filters' 53 options (100,000-note seed, as bench-staff) took 13 ms of the
    search page's CPU, this takes under 1 ms."""
    widget = field.field.widget
    chosen = set(widget.format_value(field.value()))
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if str(value) in chosen else "", label)
            for value, label in field.field.choices
        ),
    )
    errors = field.errors
    error_id = f"{field.id_for_label}_error"
    invalid = format_html(' aria-invalid="true" aria-describedby="{}"', error_id) if errors else ""
    return format_html(
        '<div class="field{}">{}<select name="{}" id="{}"{}>{}</select>{}</div>',
        " has-error" if errors else "",
        field.label_tag(),
        field.html_name,
        field.id_for_label,
        invalid,
        options,
        format_html_join("", '<p class="error" id="{}">{}</p>', ((error_id, e) for e in errors)),
    )


@register.simple_tag
def result_items(key: str, items: list, stems) -> SafeString:
    """One result group's <li> rows, highlighted, built in Python.

    The same markup as a template loop, which spent 12 ms of CPU on the ~60 results of a
    page (a variable lookup tries dict, attribute and index in turn; `{% url %}` and the
    `{% if key == … %}` chain run per row); this takes about 2 ms, highlighting included.
    Every value goes through `format_html`, so it is escaped; `highlight` escapes first.
    """
    row = _Rows(stems or ())
    render = getattr(row, key)
    return mark_safe("".join(render(item) for item in items))  # noqa: S308 - format_html


class _Rows:
    """The rows of one group; links and dates that several rows share are made once."""

    def __init__(self, stems):
        self.stems = stems
        self._urls: dict = {}
        self._dates: dict = {}

    def url(self, name: str, pk: int) -> str:
        if (name, pk) not in self._urls:
            self._urls[name, pk] = reverse(name, args=[pk])
        return self._urls[name, pk]

    def date(self, value) -> str:
        if value not in self._dates:
            self._dates[value] = localize(value)
        return self._dates[value]

    def challenges(self, item) -> SafeString:
        return format_html(
            '<li><a href="{}">{}</a><p class="result-meta">{} · {}</p></li>',
            self.url("challenge_detail", item.pk),
            _highlight(item.question, self.stems),
            item.organisation.name,
            item.get_status_display(),
        )

    def workshops(self, item) -> SafeString:
        place = format_html(" · {}", _highlight(item.place, self.stems)) if item.place else ""
        return format_html(
            '<li><a href="{}">{}</a><p class="result-meta">{}{} · {}</p></li>',
            self.url("archive_workshop", item.pk),
            _highlight(item.title, self.stems),
            self.date(item.date),
            place,
            item.challenge.organisation.name,
        )

    def notes(self, item) -> SafeString:
        workshop = item.workshop
        theme = format_html(" · {} {}", gettext("theme"), item.theme.name) if item.theme else ""
        return format_html(
            '<li><a href="{}#note-{}">{}</a>'
            '<p class="result-meta">{} · {} · {} · {}{} · {}</p></li>',
            self.url("archive_workshop", item.workshop_id),
            item.pk,
            _highlight(item.text, self.stems),
            workshop.title,
            self.date(workshop.date),
            item.group.name,
            item.column.title,
            theme,
            workshop.challenge.organisation.name,
        )

    def themes(self, item) -> SafeString:
        workshop = item.workshop
        return format_html(
            '<li><a href="{}#theme-{}">{}</a><p class="result-meta">{} · {} · {}</p></li>',
            self.url("archive_workshop", item.workshop_id),
            item.pk,
            _highlight(item.name, self.stems),
            workshop.title,
            self.date(workshop.date),
            workshop.challenge.organisation.name,
        )

    def next_steps(self, item) -> SafeString:
        owner = format_html(" · {}", item.owner_name) if item.owner_name else ""
        workshop = format_html(" · {}", item.workshop.title) if item.workshop else ""
        return format_html(
            '<li><a href="{}#next-step-{}">{}</a><p class="result-meta">{}{}{} · {}</p></li>',
            self.url("challenge_detail", item.challenge_id),
            item.pk,
            _highlight(item.title, self.stems),
            item.get_status_display(),
            owner,
            workshop,
            item.challenge.organisation.name,
        )
