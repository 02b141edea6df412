"""Labb's text policy, in one place: what a stored text may contain.

Every text a person types (a note, a group or theme name, a challenge question…) and every
text an archive brings in is stored in this form:

- Unicode NFC, so "å" typed on a Mac and on Windows is the same text to search and compare;
- line breaks as "\\n" ("\\r\\n" and a lone "\\r" become "\\n");
- no control characters other than tab and newline: C0 (U+0000–U+001F), DEL and C1
  (U+0080–U+009F) are removed, as are lone surrogates and the non-characters U+FFFE/U+FFFF.
  None of them can be seen, several break XML (the XLSX and PDF exports), PostgreSQL refuses
  NUL and lone surrogates, and ESC sequences would reach terminals through the CSV export;
- NUL is refused where a person or a file can be told (forms: Django's own
  ProhibitNullCharactersValidator; archive import: a 400 naming the field) and only removed
  at the model layer, the last line of defence for code paths without a form.

`clean_text` is applied by the form field below (before validation, so length limits count
what is stored) and by the model fields below on every write, including `update()` and
`bulk_create()`. The renderers apply it once more when they read, so rows stored before this
policy existed still render.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.db import models

_CONTROL = re.compile("[\x01-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CONTROL_AND_NUL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str, *, keep_nul: bool = False) -> str:
    """`value` as Labb stores it (see the module docstring)."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = (_CONTROL if keep_nul else _CONTROL_AND_NUL).sub("", value)
    return unicodedata.normalize("NFC", value)


class TextField(forms.CharField):
    """A form field for typed text: cleaned by the text policy, NUL refused with a message."""

    def to_python(self, value):
        value = super().to_python(value)
        # Keep NUL so that the field's ProhibitNullCharactersValidator can say so.
        return clean_text(value, keep_nul=True) if value else value


class _CleanOnSave:
    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return clean_text(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        if not self.choices:
            kwargs.setdefault("form_class", TextField)
        return super().formfield(**kwargs)


class CleanCharField(_CleanOnSave, models.CharField):
    """A CharField whose value is stored under the text policy."""


class CleanTextField(_CleanOnSave, models.TextField):
    """A TextField whose value is stored under the text policy."""
