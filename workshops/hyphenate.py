"""Soft hyphens in long words, so that narrow columns on the projector break Swedish
compounds ("utvecklings-arbete") at a syllable with a visible hyphen instead of mid-letter.

Browsers hyphenate by themselves only with `hyphens: auto` and a dictionary for the
language, which not every browser has (Chromium on Linux downloads them on demand); soft
hyphens (U+00AD) work everywhere and are invisible unless the line breaks there.
"""

from __future__ import annotations

import functools
import re

import pyphen

SOFT_HYPHEN = "\u00ad"
# Words shorter than this fit any column the projector draws.
MIN_WORD = 10
_WORD = re.compile(rf"[^\W\d_]{{{MIN_WORD},}}")


@functools.cache
def _dictionary(language: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=language, left=3, right=3)


@functools.lru_cache(maxsize=20_000)
def _word(word: str, language: str) -> str:
    return _dictionary(language).inserted(word, hyphen=SOFT_HYPHEN)


def soft_hyphenate(text: str, language: str = "sv_SE") -> str:
    """`text` with soft hyphens at the syllable breaks of its long words."""
    return _WORD.sub(lambda match: _word(match.group(0), language), text)
