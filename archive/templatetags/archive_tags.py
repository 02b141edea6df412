from django import template

from archive.search import highlight as _highlight

register = template.Library()


@register.filter
def highlight(text: str, stems) -> str:
    """Escape the text, then mark the words that match the search (see archive.search)."""
    return _highlight(text, stems or ())
