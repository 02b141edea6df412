"""Generate a synthetic archive for benchmarks: many organisations, challenges, workshops
and notes in realistic Swedish, written with bulk_create.

    uv run python manage.py seed_archive --workshops 1000 --notes 100000

Everything it makes belongs to organisations whose slug starts with `bench-`; `--reset`
removes those first. Users: `bench-staff` (staff in the first organisation) and
`bench-facilitator-N` (facilitator in organisation N), password `bench`.
"""

from __future__ import annotations

import datetime
import random
import secrets
import time
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from challenges.models import Challenge, Membership, Organisation, Tag
from workshops.models import ActionItem, Column, Group, Note, Theme, Workshop

PREFIX = "bench-"
PLACES = [
    "Växjö",
    "Halmstad",
    "Jönköping",
    "Kalmar",
    "Karlskrona",
    "Ljungby",
    "Värnamo",
    "Falkenberg",
    "Varberg",
    "Kungsbacka",
    "Älmhult",
    "Tingsryd",
    "Alvesta",
    "Uppvidinge",
]
ORGANISATIONS = [
    "Region Kronoberg",
    "Region Halland",
    "Region Jönköpings län",
    "Region Kalmar län",
    "Växjö kommun",
    "Halmstads kommun",
    "Ljungby kommun",
    "Värnamo kommun",
    "Tillväxtverket",
    "Länsstyrelsen Kronoberg",
    "Falkenbergs kommun",
    "Kalmar kommun",
]
TAGS = [
    "hållbarhet",
    "agenda 2030",
    "vård och omsorg",
    "skola",
    "kompetensförsörjning",
    "landsbygd",
    "digitalisering",
    "samverkan",
    "integration",
    "klimat",
    "näringsliv",
]
QUESTIONS = [
    "Hur kan vi samverka bättre kring {x}?",
    "Vad krävs för att {x} ska bli verklighet?",
    "Hur får vi fler att engagera sig i {x}?",
    "Hur tar vi tillvara invånarnas idéer om {x}?",
]
TOPICS = [
    "hållbar utveckling",
    "den nära vården",
    "kompetensförsörjningen",
    "landsbygdens service",
    "digitala tjänster",
    "ungas psykiska hälsa",
    "klimatomställningen",
    "integrationen",
    "kollektivtrafiken",
    "det livslånga lärandet",
]
SUCCESS = [
    "Tydligt mandat från ledningen",
    "Gemensam målbild",
    "Engagerade eldsjälar",
    "Tid för reflektion",
    "Tillit mellan förvaltningarna",
    "Långsiktig finansiering",
    "Invånarna är med från början",
    "Testa i liten skala först",
    "Öppen dialog med politiken",
    "Delade resurser mellan kommunerna",
    "Nyckelpersoner som driver",
    "Uppföljning av resultat",
    "Kunskap om {t}",
    "Samverkan med {o}",
    "Stöd från {o}",
    "Fler mötesplatser för {t}",
]
OBSTACLES = [
    "Stuprör mellan förvaltningarna",
    "Stuprören styr budgeten",
    "Silos och revirtänkande",
    "Brist på finansiering",
    "Kortsiktiga projektpengar",
    "Otydligt mandat",
    "Oklara roller och ansvar",
    "Tidsbrist i vardagen",
    "Personberoende lösningar",
    "Svårt att nå invånarna",
    "Lagstiftningen hindrar",
    "Förändringströtthet",
    "Brist på {t}",
    "Otydlig styrning av {t}",
    "{o} är inte med",
    "Resursbrist inom {t}",
]
NOTE_TOPICS = [
    "kompetens",
    "data",
    "lokaler",
    "kommunikation",
    "uppföljning",
    "ledarskap",
    "tid",
    "kollektivtrafik",
    "vårdcentralerna",
    "skolan",
    "näringslivet",
    "civilsamhället",
]
NOTE_ORGS = ["regionen", "kommunerna", "staten", "föreningarna", "företagen", "politiken"]
THEMES = [
    "Stuprör",
    "Finansiering",
    "Mandat",
    "Tillit",
    "Målbild",
    "Tid",
    "Kompetens",
    "Invånardialog",
    "Ledarskap",
    "Uppföljning",
    "Eldsjälar",
    "Styrning",
]
NEXT_STEPS = [
    "Ta fram en gemensam finansieringsmodell",
    "Förankra mandatet i ledningsgruppen",
    "Bjud in invånare till nästa workshop",
    "Kartlägg stuprören",
    "Starta ett pilottest",
    "Sammanställ lärdomar till RUS-arbetet",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(t=rng.choice(NOTE_TOPICS), o=rng.choice(NOTE_ORGS))


class Command(BaseCommand):
    help = "Generate a synthetic archive (bulk) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--workshops", type=int, default=1000)
        parser.add_argument("--notes", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=5)
        parser.add_argument("--reset", action="store_true")

    def handle(self, *args, workshops: int, notes: int, seed: int, reset: bool, **options):
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            if reset:
                self._reset()
            self._seed(rng, workshops, notes)
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses a handful of rows and picks nested loops.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Seeded {workshops} workshops and {notes} notes in {time.monotonic() - started:.1f} s"
        )

    def _reset(self):
        orgs = Organisation.objects.filter(slug__startswith=PREFIX)
        Challenge.objects.filter(organisation__in=orgs).delete()
        orgs.delete()
        get_user_model().objects.filter(username__startswith=PREFIX).delete()

    def _seed(self, rng: random.Random, workshop_total: int, note_total: int):
        user_model = get_user_model()
        orgs = [
            Organisation(name=f"{name} ({PREFIX}{i})", slug=f"{PREFIX}{i}")
            for i, name in enumerate(ORGANISATIONS)
        ]
        Organisation.objects.bulk_create(orgs)
        facilitators = []
        for i in range(len(orgs)):
            user = user_model(username=f"{PREFIX}facilitator-{i}")
            user.set_password("bench")
            facilitators.append(user)
        staff = user_model(username=f"{PREFIX}staff")
        staff.set_password("bench")
        user_model.objects.bulk_create([*facilitators, staff])
        Membership.objects.bulk_create(
            [
                Membership(user=user, organisation=org, role=Membership.Role.FACILITATOR)
                for user, org in zip(facilitators, orgs, strict=True)
            ]
            + [Membership(user=staff, organisation=orgs[0], role=Membership.Role.STAFF)]
        )
        tags = [
            Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})[0]
            for name in TAGS
        ]
        visibilities = [
            Challenge.Visibility.PRIVATE,
            Challenge.Visibility.ORGANISATION,
            Challenge.Visibility.ORGANISATION,
            Challenge.Visibility.SHARED,
        ]
        challenges = [
            Challenge(
                organisation=orgs[i % len(orgs)],
                question=rng.choice(QUESTIONS).format(x=rng.choice(TOPICS)),
                description="Utmaningen kommer från det regionala utvecklingsarbetet.",
                status=rng.choice(Challenge.Status.values),
                visibility=rng.choice(visibilities),
                created_by=facilitators[i % len(orgs)],
            )
            for i in range(max(1, workshop_total // 5))
        ]
        Challenge.objects.bulk_create(challenges)
        Challenge.tags.through.objects.bulk_create(
            Challenge.tags.through(challenge_id=c.pk, tag_id=t.pk)
            for c in challenges
            for t in rng.sample(tags, 2)
        )
        first = datetime.date(2019, 1, 15)
        workshops = []
        for i in range(workshop_total):
            challenge = challenges[i % len(challenges)]
            date = first + datetime.timedelta(days=rng.randrange(0, 7 * 365))
            workshops.append(
                Workshop(
                    challenge=challenge,
                    title=f"{rng.choice(['Lärlabb', 'Verkstad', 'Workshop', 'Idélabb'])} {i + 1}",
                    question="Vad krävs för att det ska bli verklighet?",
                    template="success_obstacles",
                    kind=rng.choice([Workshop.Kind.PAPER, Workshop.Kind.LIVE]),
                    date=date,
                    place=rng.choice(PLACES),
                    phase=Workshop.Phase.CLOSED,
                    accepting_notes=False,
                    keep=True,
                )
            )
        Workshop.objects.bulk_create(workshops, batch_size=2000)
        Workshop.facilitators.through.objects.bulk_create(
            Workshop.facilitators.through(workshop_id=w.pk, user_id=w.challenge.created_by_id)
            for w in workshops
        )
        columns = []
        groups = []
        for w in workshops:
            columns.append(
                Column(workshop=w, title="Framgångsfaktorer", position=0, colour="green")
            )
            columns.append(Column(workshop=w, title="Hinder", position=1, colour="pink"))
            for g in range(rng.randint(4, 16)):
                groups.append(
                    Group(
                        workshop=w, name=f"Grupp {g + 1}", position=g, token=secrets.token_hex(12)
                    )
                )
        Column.objects.bulk_create(columns, batch_size=5000)
        Group.objects.bulk_create(groups, batch_size=5000)
        columns_by_workshop: dict[int, list[Column]] = {}
        for column in columns:
            columns_by_workshop.setdefault(column.workshop_id, []).append(column)
        groups_by_workshop: dict[int, list[Group]] = {}
        for group in groups:
            groups_by_workshop.setdefault(group.workshop_id, []).append(group)
        themes = [
            Theme(workshop=w, name=name, position=p)
            for w in workshops
            for p, name in enumerate(rng.sample(THEMES, 4))
        ]
        Theme.objects.bulk_create(themes, batch_size=5000)
        themes_by_workshop: dict[int, list[Theme]] = {}
        for theme in themes:
            themes_by_workshop.setdefault(theme.workshop_id, []).append(theme)
        batch = []
        per_workshop = max(1, note_total // workshop_total)
        made = 0
        for index, w in enumerate(workshops):
            count = per_workshop if index < workshop_total - 1 else note_total - made
            success, obstacles = columns_by_workshop[w.pk]
            w_groups = groups_by_workshop[w.pk]
            w_themes = themes_by_workshop[w.pk]
            created = datetime.datetime.combine(w.date, datetime.time(10), tzinfo=datetime.UTC)
            for n in range(count):
                is_obstacle = rng.random() < 0.5
                text = _fill(rng.choice(OBSTACLES if is_obstacle else SUCCESS), rng)
                batch.append(
                    Note(
                        workshop=w,
                        group=rng.choice(w_groups),
                        column=obstacles if is_obstacle else success,
                        text=text,
                        client_id=uuid.uuid4(),
                        theme=rng.choice(w_themes) if rng.random() < 0.4 else None,
                        position=n,
                        created_at=created + datetime.timedelta(seconds=n),
                    )
                )
            made += count
            if len(batch) >= 10_000:
                Note.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Note.objects.bulk_create(batch, batch_size=5000)
        ActionItem.objects.bulk_create(
            ActionItem(
                challenge=w.challenge,
                workshop=w,
                title=rng.choice(NEXT_STEPS),
                owner_name=rng.choice(ORGANISATIONS),
                status=rng.choice(ActionItem.Status.values),
            )
            for w in workshops
            for _ in range(2)
        )
