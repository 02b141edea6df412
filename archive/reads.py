"""Reads for the archive: what a viewer may see, filtered and counted in a fixed number of queries.

Every queryset here starts from `challenges.access.challenges_visible_to(user)`, so a private
challenge of another organisation can never reach a list, a count or a chart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from archive.search import STOP_WORDS, compiled_pks, stem
from challenges.access import challenges_visible_to
from challenges.models import Challenge, Organisation, Tag
from labb.text import TextField
from workshops.models import (
    ActionItem,
    Export,
    Group,
    Note,
    Participant,
    Theme,
    Vote,
    Workshop,
)
from workshops.suggest import tokens

PAGE_SIZE = 25
# Recurring words are counted over at most this many notes of a selection (the newest).
RECURRING_NOTE_LIMIT = 20_000
RECURRING_WORDS = 30
RECURRING_THEMES = 20
CHART_BARS = 12

# Words that recur in any workshop without naming a theme: frequent verbs (every form that
# occurs), adverbs, adjectives and pronoun-like words that are not in Snowball's Swedish stop
# list (`archive.search.STOP_WORDS`, also left out). Matched on the word as written, so
# “leder” goes but “ledare”, which Snowball stems alike, stays. Keep it short: a word that
# can name a theme on its own (“tid”, “mål”, “brist”) does not belong here.
FILLER_WORDS = frozenset(
    """
    samma ihop olika andra annan annat egen eget egna hela helt fler flest många mest
    ta tar tog tagit tas tagits leda leder ledde lett göra gör gjorde gjort görs få får fick
    fått fås ge ger gav gett ges gå går gick gått komma kommer kom kommit se ser såg sett
    sätta sätter satte satt hålla håller höll hållit behöva behöver behövde behövs finns
    fanns skapa skapar skapade skapas använda använder använde används gälla gäller gällde
    känna känner kände tycka tycker tyckte veta vet visste låta låter lät
    sak saker del delar sätt också även bara just gärna ofta alltid aldrig ibland kanske
    redan fortfarande nog dock därför genom kring enligt både bra bättre bäst dålig dåligt
    stor stora större liten lilla små mindre ny nya nytt viktig viktigt viktiga lätt svårt
    """.split()  # noqa: SIM905 - a word list reads better as text
)


class _FetchedChoices(forms.models.ModelChoiceIterator):
    """A filter's choices in one plain query. Django's iterator reads them through a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips for a dozen rows)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class _FilterChoiceField(forms.ModelChoiceField):
    iterator = _FetchedChoices


class ArchiveFilterForm(forms.Form):
    """Filters shared by the archive list, search and recurring themes.

    The choices are what the viewer can see, so a value from elsewhere is an invalid
    choice (400), never a way to probe another organisation.
    """

    SORTS = [
        ("newest", _("Newest first")),
        ("oldest", _("Oldest first")),
        ("activity", _("Most notes first")),
    ]
    SHOW = [("workshops", _("Workshops")), ("challenges", _("Challenges"))]

    q = TextField(label=_("Search"), required=False, max_length=200)
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    organisation = _FilterChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All organisations"),
    )
    tag = _FilterChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.none(),
        required=False,
        to_field_name="name",
        empty_label=_("All tags"),
    )
    status = forms.ChoiceField(label=_("Challenge status"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    facilitator = _FilterChoiceField(
        label=_("Facilitator"),
        queryset=get_user_model().objects.none(),
        required=False,
        to_field_name="username",
        empty_label=_("All facilitators"),
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        # The viewer's challenges (`challenges_visible_to`) compiled to SQL once, for the
        # choices here and the page's selection (`visible_challenges`): built and compiled
        # again in each query, the nested membership subqueries took 1–3 ms of CPU apiece.
        self.visible = compiled_pks(challenges_visible_to(user))
        challenges = self.visible_challenges()
        workshops = self.visible_workshops()
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=challenges.values("organisation")
        )
        self.fields["tag"].queryset = Tag.objects.filter(pk__in=challenges.values("tags")).order_by(
            "name"
        )
        self.fields["status"].choices = [("", _("Any status")), *Challenge.Status.choices]
        years = workshops.order_by().values_list("date__year", flat=True).distinct()
        self.fields["year"].choices = [("", _("Any year"))] + [
            (year, str(year)) for year in sorted(set(years), reverse=True)
        ]
        self.fields["facilitator"].queryset = (
            get_user_model()
            .objects.filter(facilitated_workshops__in=workshops.values("pk"))
            .distinct()
            .order_by("username")
        )

    def visible_challenges(self) -> QuerySet[Challenge]:
        """Every challenge the viewer may see: `challenges_visible_to(user)`."""
        return Challenge.objects.filter(pk__in=self.visible)

    def visible_workshops(self) -> QuerySet[Workshop]:
        """Every workshop the viewer may see: `workshops_visible_to(user)`."""
        return Workshop.objects.filter(challenge__in=self.visible)

    def filter_challenges(self, challenges: QuerySet[Challenge]) -> QuerySet[Challenge]:
        data = self.cleaned_data
        if data.get("organisation"):
            challenges = challenges.filter(organisation=data["organisation"])
        if data.get("tag"):
            challenges = challenges.filter(tags=data["tag"])
        if data.get("status"):
            challenges = challenges.filter(status=data["status"])
        workshop_filter = Q()
        if data.get("year"):
            workshop_filter &= Q(date__year=data["year"])
        if data.get("facilitator"):
            workshop_filter &= Q(facilitators=data["facilitator"])
        if workshop_filter:
            challenges = challenges.filter(
                pk__in=Workshop.objects.filter(workshop_filter).values("challenge")
            )
        return challenges

    def filter_workshops(self, workshops: QuerySet[Workshop], challenges) -> QuerySet[Workshop]:
        data = self.cleaned_data
        workshops = workshops.filter(challenge__in=self.filter_challenges(challenges).values("pk"))
        if data.get("year"):
            workshops = workshops.filter(date__year=data["year"])
        if data.get("facilitator"):
            workshops = workshops.filter(
                pk__in=Workshop.facilitators.through.objects.filter(
                    user=data["facilitator"]
                ).values("workshop")
            )
        return workshops

    def selection_params(self) -> dict[str, str]:
        """The chosen filters as query parameters (for links that keep the selection)."""
        params = {}
        for name in ("organisation", "tag", "status", "year", "facilitator"):
            value = self.data.get(name)
            if value and not self.errors.get(name):
                params[name] = value
        return params


def _count(model, *, link: str = "workshop", **filters):
    rows = (
        model.objects.filter(**{link: OuterRef("pk")}, **filters)
        .order_by()
        .values(link)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def workshop_rows(workshops: QuerySet[Workshop], *, sort: str) -> QuerySet[Workshop]:
    """Workshops with their figures, themes, next steps, facilitators and exports.

    One query for the page plus one per prefetch, whatever the page size.
    """
    workshops = (
        workshops.select_related("challenge__organisation")
        .annotate(
            note_count=_count(Note, status=Note.Status.VISIBLE),
            group_count=_count(Group),
            participant_count=_count(Participant),
            theme_count=_count(Theme),
            vote_count=_count(Vote),
        )
        .prefetch_related(
            "facilitators",
            "challenge__tags",
            Prefetch("themes", queryset=Theme.objects.order_by("position", "pk")),
            Prefetch("action_items", queryset=ActionItem.objects.order_by("status", "pk")),
            Prefetch(
                "exports",
                queryset=Export.objects.filter(status=Export.Status.DONE).order_by("-created_at"),
                to_attr="ready_exports",
            ),
        )
    )
    order = {
        "oldest": ["date", "pk"],
        "activity": ["-note_count", "-date", "-pk"],
    }.get(sort, ["-date", "-pk"])
    return workshops.order_by(*order)


def challenge_rows(challenges: QuerySet[Challenge], *, sort: str) -> QuerySet[Challenge]:
    latest = (
        Workshop.objects.filter(challenge=OuterRef("pk"))
        .order_by()
        .values("challenge")
        .annotate(d=Max("date"))
        .values("d")
    )
    challenges = (
        challenges.select_related("organisation")
        .annotate(
            workshop_count=_count(Workshop, link="challenge"),
            note_count=_count(Note, link="workshop__challenge", status=Note.Status.VISIBLE),
            latest_date=Subquery(latest),
        )
        .prefetch_related("tags")
    )
    if sort == "oldest":
        return challenges.order_by(F("latest_date").asc(nulls_last=True), "pk")
    if sort == "activity":
        return challenges.order_by("-note_count", "-pk")
    return challenges.order_by(F("latest_date").desc(nulls_last=True), "-pk")


def export_links(exports) -> list[tuple[Export, str]]:
    """Ready exports with a download link, when the download view exists."""
    links = []
    for export in exports:
        try:
            url = reverse("export_download", args=[export.pk])
        except NoReverseMatch:
            url = ""
        links.append((export, url))
    return links


# Recurring themes and words.


@dataclass
class Recurring:
    label: str
    workshops: int
    groups: int
    notes: int
    query: str
    percent: int = 0


def recurring_words(notes: QuerySet[Note]) -> tuple[list[Recurring], int, bool]:
    """Words (stemmed; stop words and FILLER_WORDS dropped) that recur across workshops and
    groups.

    Returns the ranked list, how many notes were read, and whether the selection was
    cut at RECURRING_NOTE_LIMIT.
    """
    rows = list(
        notes.order_by("-created_at", "-pk").values_list("text", "workshop_id", "group_id")[
            : RECURRING_NOTE_LIMIT + 1
        ]
    )
    truncated = len(rows) > RECURRING_NOTE_LIMIT
    rows = rows[:RECURRING_NOTE_LIMIT]
    note_counts: Counter[str] = Counter()
    workshops: dict[str, set[int]] = defaultdict(set)
    groups: dict[str, set[int]] = defaultdict(set)
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    for text, workshop_id, group_id in rows:
        seen = set()
        for word in tokens(text):
            if len(word) < 3 or word in STOP_WORDS or word in FILLER_WORDS:
                continue
            key = stem(word)
            surface[key][word] += 1
            if key in seen:
                continue
            seen.add(key)
            note_counts[key] += 1
            workshops[key].add(workshop_id)
            groups[key].add(group_id)
    ranked = sorted(
        (key for key in note_counts if len(groups[key]) >= 2),
        key=lambda k: (-len(workshops[k]), -len(groups[k]), -note_counts[k], k),
    )[:RECURRING_WORDS]
    result = []
    for key in ranked:
        label = surface[key].most_common(1)[0][0]
        result.append(
            Recurring(
                label=label,
                workshops=len(workshops[key]),
                groups=len(groups[key]),
                notes=note_counts[key],
                query=label,
            )
        )
    _scale(result)
    return result, len(rows), truncated


def recurring_themes(themes: QuerySet[Theme]) -> list[Recurring]:
    """Theme names that come back in several workshops (same words, any inflection)."""
    rows = themes.annotate(
        n=Count("notes", filter=Q(notes__status=Note.Status.VISIBLE))
    ).values_list("name", "workshop_id", "n")
    by_key: dict[str, dict] = {}
    for name, workshop_id, note_count in rows:
        words = tokens(name)
        key = " ".join(sorted({stem(w) for w in words})) or name.lower().strip()
        entry = by_key.setdefault(
            key, {"names": Counter(), "workshops": set(), "themes": 0, "notes": 0}
        )
        entry["names"][name.strip()] += 1
        entry["workshops"].add(workshop_id)
        entry["themes"] += 1
        entry["notes"] += note_count
    ranked = sorted(
        by_key.items(), key=lambda kv: (-len(kv[1]["workshops"]), -kv[1]["notes"], kv[0])
    )[:RECURRING_THEMES]
    result = [
        Recurring(
            label=entry["names"].most_common(1)[0][0],
            workshops=len(entry["workshops"]),
            groups=entry["themes"],
            notes=entry["notes"],
            query=entry["names"].most_common(1)[0][0],
        )
        for _key, entry in ranked
    ]
    _scale(result)
    return result


def _scale(items: list[Recurring]) -> None:
    top = max((item.workshops for item in items), default=0)
    for item in items:
        item.percent = round(100 * item.workshops / top) if top else 0
