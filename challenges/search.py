"""One search over the archive: challenges, workshops, notes, themes and next steps.

On PostgreSQL notes are found with full-text search in the `swedish` configuration
(Snowball stemming, so “stuprören” finds “stuprör”; prefix matching, so “stuprör” also
finds the compound “stuprörstänk”), ranked with `ts_rank`, through the GIN index made in
`workshops/migrations/0002_note_search.py`. Short titles are also matched by trigram word
similarity (pg_trgm) when nothing matches exactly, so a typo such as “finansering” still
finds them.

On SQLite the same words are stemmed in Python and matched as substrings: slower and
unranked, but it finds the same inflections.

Swedish and English stop words are dropped from the query before either backend sees it.
Highlighting escapes the text first and only then wraps matching words in `<mark>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from challenges.models import Challenge
from workshops.models import ActionItem, Note, Theme, Workshop
from workshops.suggest import tokens

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
RESULTS_PER_GROUP = 20
# Highlighting and SQLite matching ignore stems shorter than this (“på” → nothing).
_MIN_STEM = 2
_WORD_SPLIT_RE = re.compile(r"([^\W\d_]+)")


class SearchError(ValueError):
    """The query cannot be searched; the message is translated and safe to show."""


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("swedish")


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    words: tuple[str, ...]
    stems: tuple[str, ...]

    def tsquery(self) -> str:
        """A raw tsquery: every word, each as a prefix (words are letters only)."""
        return " & ".join(f"'{word}':*" for word in self.words)


def parse_query(text: str) -> ParsedQuery | None:
    """Clean a query typed in the search box. None when nothing is left to search for."""
    text = (text or "").replace("\x00", "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchError(
            _("Search for at most %(max)s characters (this search has %(count)s).")
            % {"max": MAX_QUERY_LENGTH, "count": len(text)}
        )
    words: list[str] = []
    for word in tokens(text):
        word = word.replace("'", "").replace("’", "")
        if len(word) >= _MIN_STEM and word not in words:
            words.append(word)
    if len(words) > MAX_TERMS:
        raise SearchError(_("Search for at most %(max)s words at a time.") % {"max": MAX_TERMS})
    if not words:
        return None
    return ParsedQuery(text=text, words=tuple(words), stems=tuple(stem(w) for w in words))


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def _query(parsed: ParsedQuery) -> SearchQuery:
    return SearchQuery(parsed.tsquery(), config="swedish", search_type="raw")


def _substring_q(parsed: ParsedQuery, *fields: str) -> Q:
    """SQLite: every stem appears in one of the fields (SQLite's LIKE folds ASCII only)."""
    combined = Q()
    for word_stem in parsed.stems:
        variants = {word_stem, word_stem.capitalize(), word_stem.upper()}
        any_field = Q()
        for name in fields:
            for variant in variants:
                any_field |= Q(**{f"{name}__contains": variant})
        combined &= any_field
    return combined


def _note_vector() -> RawSQL:
    """The stored `search_sv` column (workshops migration 0003), GIN-indexed."""
    return RawSQL('"workshops_note"."search_sv"', [], output_field=SearchVectorField())


def filter_notes(notes: QuerySet[Note], parsed: ParsedQuery, *, ranked: bool = True) -> QuerySet:
    """Notes matching the query, best first on PostgreSQL, newest first on SQLite."""
    if uses_postgres():
        query = _query(parsed)
        notes = notes.annotate(search=_note_vector()).filter(search=query)
        if ranked:
            return notes.annotate(rank=SearchRank(_note_vector(), query)).order_by(
                "-rank", "-created_at", "-pk"
            )
        return notes
    return notes.filter(_substring_q(parsed, "text")).order_by("-created_at", "-pk")


def _stored_vector(qs: QuerySet) -> RawSQL:
    """The model's stored `search_sv` column (workshops 0004, challenges 0003)."""
    table = qs.model._meta.db_table
    # The table name comes from the model, never from input.
    return RawSQL(f'"{table}"."search_sv"', [], output_field=SearchVectorField())  # noqa: S611


def _title_group(
    qs: QuerySet,
    parsed: ParsedQuery,
    fields: tuple[str, ...],
    title: str,
    limit: int,
    *,
    fuzzy: bool = False,
) -> ResultGroup:
    """Full-text match on the stored vector or, with `fuzzy`, trigram word similarity on
    the title (PostgreSQL), so a misspelt word still finds something."""
    if not uses_postgres():
        return _group(qs.filter(_substring_q(parsed, *fields)).order_by("-pk"), limit)
    if fuzzy:
        return _group(
            qs.filter(**{f"{title}__trigram_word_similar": parsed.text})
            .annotate(similarity=TrigramWordSimilarity(parsed.text, title))
            .order_by("-similarity", "-pk"),
            limit,
        )
    query = _query(parsed)
    vector = _stored_vector(qs)
    return _group(
        qs.annotate(search=vector)
        .filter(search=query)
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", "-pk"),
        limit,
    )


# Counting every match of a very common word costs as much as the search; above this
# the page says “more than 1,000”.
COUNT_CAP = 1000


@dataclass
class ResultGroup:
    items: list
    count: int

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.items))

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


@dataclass
class SearchResults:
    parsed: ParsedQuery
    challenges: ResultGroup
    workshops: ResultGroup
    notes: ResultGroup
    themes: ResultGroup
    next_steps: ResultGroup
    fuzzy: bool = False
    groups: list[tuple[str, str, ResultGroup]] = field(default_factory=list)

    cap: int = COUNT_CAP

    @property
    def capped(self) -> bool:
        return any(group.capped for _key, _label, group in self.groups)

    @property
    def total(self) -> int:
        return sum(group.count for _key, _label, group in self.groups)


def _group(qs: QuerySet, limit: int) -> ResultGroup:
    items = list(qs[: limit + 1])
    if len(items) <= limit:
        return ResultGroup(items=items, count=len(items))
    count = qs.order_by().values("pk")[: COUNT_CAP + 1].count()
    return ResultGroup(items=items[:limit], count=count)


def _notes_group(matching: QuerySet[Note], limit: int) -> ResultGroup:
    """Rank on the notes table alone, then load the page's notes with their context.

    Joining workshops, groups, columns and themes onto every match before the top-N sort
    costs more than the search itself at 100,000 notes.
    """
    group = _group(matching.values_list("pk", flat=True), limit)
    by_pk = Note.objects.select_related(
        "workshop__challenge__organisation", "group", "column", "theme"
    ).in_bulk(group.items)
    group.items = [by_pk[pk] for pk in group.items if pk in by_pk]
    return group


def search(
    parsed: ParsedQuery,
    *,
    challenges: QuerySet[Challenge],
    workshops: QuerySet[Workshop],
    limit: int = RESULTS_PER_GROUP,
) -> SearchResults:
    """Search within the given (already visibility-filtered) challenges and workshops.

    At most two queries per group: the first `limit` rows, and a count only when there
    may be more. When nothing matches at all (PostgreSQL), the titles are searched once
    more by trigram similarity: a typo costs four more queries, a hit none.
    """
    # Before the reveal a note's text is its author's alone (`Note.objects.readable`).
    visible_notes = Note.objects.readable().filter(workshop__in=workshops.values("pk"))
    themes = Theme.objects.filter(workshop__in=workshops.values("pk")).select_related(
        "workshop__challenge__organisation"
    )
    next_steps = ActionItem.objects.filter(challenge__in=challenges.values("pk")).select_related(
        "workshop", "challenge__organisation"
    )
    sources = {
        "challenges": (
            challenges.select_related("organisation"),
            ("question", "description"),
            "question",
        ),
        "workshops": (
            workshops.select_related("challenge__organisation"),
            ("title", "question", "place"),
            "title",
        ),
        "themes": (themes, ("name",), "name"),
        "next_steps": (next_steps, ("title", "owner_name"), "title"),
    }
    titles = {
        key: _title_group(qs, parsed, fields, title, limit)
        for key, (qs, fields, title) in sources.items()
    }
    notes = _notes_group(filter_notes(visible_notes, parsed), limit)
    fuzzy = False
    if uses_postgres() and not notes.count and not any(g.count for g in titles.values()):
        # Nothing at all: perhaps a typo. Trigram similarity on the titles, once.
        fuzzy = True
        titles = {
            key: _title_group(qs, parsed, fields, title, limit, fuzzy=True)
            for key, (qs, fields, title) in sources.items()
        }
    results = SearchResults(
        parsed=parsed,
        challenges=titles["challenges"],
        workshops=titles["workshops"],
        notes=notes,
        themes=titles["themes"],
        next_steps=titles["next_steps"],
        fuzzy=fuzzy,
    )
    results.groups = [
        ("challenges", _("Challenges"), results.challenges),
        ("workshops", _("Workshops"), results.workshops),
        ("notes", _("Notes"), results.notes),
        ("themes", _("Themes"), results.themes),
        ("next_steps", _("Next steps"), results.next_steps),
    ]
    return results


def highlight(text: str, stems: tuple[str, ...] | list[str]) -> SafeString:
    """Escape `text`, then wrap words whose stem starts with a query stem in <mark>."""
    stems = tuple(s for s in stems if len(s) >= _MIN_STEM)
    pieces = []
    for index, piece in enumerate(_WORD_SPLIT_RE.split(text or "")):
        if index % 2 == 1 and stems and _matches(piece, stems):
            pieces.append(f"<mark>{escape(piece)}</mark>")
        else:
            pieces.append(escape(piece))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


def _matches(word: str, stems: tuple[str, ...]) -> bool:
    lowered = word.lower()
    word_stem = stem(lowered)
    return any(word_stem.startswith(s) or lowered.startswith(s) for s in stems)
