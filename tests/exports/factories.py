"""Realistic boards for export tests: a regional learning lab on sustainable development,
twenty groups answering one question in two columns, as a paper workshop would."""

import datetime as dt
import random
import uuid

from workshops.exports.snapshot import (
    ChallengeSnapshot,
    ColumnSnapshot,
    FacilitatorSnapshot,
    GroupColumn,
    GroupSnapshot,
    NextStepSnapshot,
    NoteSnapshot,
    ParticipantSnapshot,
    ThemeSnapshot,
    VoteSnapshot,
    WorkshopSettings,
    WorkshopSnapshot,
)

TZ = dt.timezone(dt.timedelta(hours=2))

SUCCESS = [
    "Gemensam målbild som alla parter har varit med och formulerat",
    "Tid avsatt i tjänsten för att delta i labbet, inte på lunchen",
    "Kommunerna är med från start och inte bara på remiss",
    "Medborgare testar prototyper tidigt och ofta",
    "En processledare som håller ihop arbetet mellan träffarna",
    "Mandat från ledningen att pröva nya arbetssätt",
    "Små försök som kan utvärderas efter några veckor",
    "Öppenhet om det som inte fungerade",
    "Data som delas mellan region och kommun",
    "Civilsamhället får plats vid bordet",
    "Tydlig ägare för varje nästa steg",
    "Att fira det som faktiskt blir bättre",
    "Kunskap om Agenda 2030 i alla förvaltningar",
    "Mötesplatser där olika yrken lär av varandra",
    "Uthållig finansiering i mer än ett år",
]
OBSTACLES = [
    "Stuprör mellan förvaltningarna",
    "Resurserna räcker inte till utvecklingsarbete vid sidan av driften",
    "Informationen fastnar på vägen mellan nivåerna",
    "Parallella uppdrag som ingen har överblick över",
    "Rädsla för att misslyckas offentligt",
    "Juridiken kring delning av personuppgifter är oklar",
    "Projekt som tar slut när pengarna tar slut",
    "Mål som är för vaga för att följas upp",
    "Det är svårt att nå de som berörs mest",
    "Upphandlingsregler som inte passar för att testa i liten skala",
    "Omorganisationer som nollställer arbetet",
    "För många möten, för lite görande",
    "Olika IT-system som inte pratar med varandra",
    "Ledningen efterfrågar resultat för snabbt",
    "Glappet mellan strategi och vardag",
]
THEMES = [
    "Samverkan över gränser",
    "Resurser och tid",
    "Mandat och ledarskap",
    "Lära genom att testa",
    "Information och data",
    "Medborgarnas röst",
]
NAMES = ["Anna Lindqvist", "Omar Haddad", "Karin Öberg", "Jukka Niemi", "Sara Åström", ""]

LONG_WORD = "arbetsmiljöproblemsamordningsansvar"
EMOJI = "Mer glädje i arbetet 🎉👩‍💻 och fler fikapauser ☕"
RTL = "التعاون بين البلديات والمنطقة ضروري — שיתוף פעולה"
LONG_NOTE = (
    "Vi behöver en struktur där region, kommuner, myndigheter och civilsamhälle möts "
    "regelbundet, med ett gemensamt ansvar för att resultaten tas vidare till beslut. "
) * 4
LONG_NOTE = LONG_NOTE[:500]
FORMULA = '=HYPERLINK("http://example.invalid","klicka")'
PLUS = "+46 70 123 45 67 ringer om budgeten"
DASH = "- resursbrist leder till att ingen hinner"
AT = "@alla: glöm inte uppföljningen"


def _ts(minutes: int) -> dt.datetime:
    return dt.datetime(2025, 3, 12, 9, 30, tzinfo=TZ) + dt.timedelta(minutes=minutes)


def make_workshop(
    *, groups: int = 20, notes_per_group: int = 14, seed: int = 4, title: str | None = None
) -> WorkshopSnapshot:
    rng = random.Random(seed)
    columns = (
        ColumnSnapshot("c1", "Framgångsfaktorer", "Vad gör att det fungerar?", "green"),
        ColumnSnapshot("c2", "Hinder", "Vad sätter käppar i hjulet?", "pink"),
    )
    themes_notes: dict[str, list[tuple[str, str]]] = {f"t{i}": [] for i in range(1, 7)}
    special = iter([LONG_WORD, EMOJI, RTL, LONG_NOTE, FORMULA, PLUS, DASH, AT])
    participants: list[ParticipantSnapshot] = []
    group_snaps = []
    all_notes: list[NoteSnapshot] = []
    minute = 0
    for g in range(1, groups + 1):
        members = [f"p{len(participants) + i}" for i in range(1, 5)]
        for ref in members:
            participants.append(
                ParticipantSnapshot(ref, rng.choice(NAMES), f"g{g}", _ts(rng.randint(-20, 0)))
            )
        cells: dict[str, list[NoteSnapshot]] = {"c1": [], "c2": []}
        for i in range(notes_per_group):
            column = "c1" if i % 2 == 0 else "c2"
            pool = SUCCESS if column == "c1" else OBSTACLES
            text = next(special, None) if g == 1 else None
            text = text or rng.choice(pool)
            minute += 1
            theme = f"t{rng.randint(1, 6)}" if rng.random() < 0.6 else None
            participant = rng.choice(members)
            name = next(p.display_name for p in participants if p.ref == participant)
            ref = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            note = NoteSnapshot(
                ref=ref,
                text=text,
                author_name=name,
                status="visible",
                created_at=_ts(minute // 4),
                group_ref=f"g{g}",
                column_ref=column,
                position=i,
                participant_ref=participant,
                theme_ref=theme,
                votes=rng.choice([0, 0, 0, 1, 1, 2, 3, 5]),
            )
            if theme:
                themes_notes[theme].append((ref, f"g{g}"))
            cells[column].append(note)
            all_notes.append(note)
        # The last two notes of each column: the second is a duplicate of the first.
        target = cells["c1"][0]
        duplicate = NoteSnapshot(
            ref=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            text=target.text + " (samma tanke)",
            author_name="",
            status="visible",
            created_at=_ts(minute // 4),
            group_ref=f"g{g}",
            column_ref="c1",
            position=99,
            merged_into=target.ref,
        )
        cells["c1"][0] = NoteSnapshot(**{**target.__dict__, "duplicates": (duplicate,)})
        group_snaps.append(
            GroupSnapshot(
                ref=f"g{g}",
                name=f"Grupp {g}",
                columns=tuple(GroupColumn(c, tuple(cells[c.ref])) for c in columns),
            )
        )
    votes_by_note = {n.ref: n.votes for n in all_notes}
    themes = tuple(
        ThemeSnapshot(
            ref=ref,
            name=THEMES[int(ref[1:]) - 1],
            created_at=_ts(90),
            note_refs=tuple(r for r, _ in themes_notes[ref]),
            votes=rng.randint(0, 6),
            note_votes=sum(votes_by_note[r] for r, _ in themes_notes[ref]),
            group_count=len({g for _, g in themes_notes[ref]}),
        )
        for ref in themes_notes
    )
    votes = tuple(
        VoteSnapshot(participants[0].ref, note.ref, None, _ts(100))
        for note in all_notes
        for _ in range(note.votes)
    )
    steps = (
        NextStepSnapshot(
            "a1",
            "Bjuda in kommunernas samordnare till ett gemensamt lärlabb",
            "Karin Öberg",
            dt.date(2025, 4, 30),
            "open",
            _ts(120),
            note_refs=(all_notes[0].ref,) if all_notes else (),
            theme_refs=("t1",),
        ),
        NextStepSnapshot(
            "a2",
            "Ta fram en enkel modell för att testa i liten skala",
            "",
            None,
            "open",
            _ts(121),
            theme_refs=("t4",),
        ),
        NextStepSnapshot(
            "a3",
            "Skicka dokumentationen till deltagarna",
            "Omar Haddad",
            dt.date(2025, 3, 19),
            "done",
            _ts(122),
        ),  # fmt: skip
    )
    return WorkshopSnapshot(
        challenge_question="Hur kan vi tillsammans göra hållbar utveckling till vardag i regionen?",
        challenge_description=(
            "Regionen och kommunerna vill lära av varandra om hur strategin för hållbar "
            "utveckling blir till handling i verksamheterna."
        ),
        organisation_name="Region Exempelland",
        title=title or "Lärlabb hållbar utveckling, workshop 1",
        question="Vad krävs för att det ska hända?",
        date=dt.date(2025, 3, 12),
        place="Regionens hus, sal Ljungen",
        facilitators=(
            FacilitatorSnapshot("Lena Holm", "lena"),
            FacilitatorSnapshot("Ahmed Yusuf", "ahmed"),
        ),
        columns=columns,
        groups=tuple(group_snaps),
        themes=themes,
        next_steps=steps,
        exported_at=dt.datetime(2025, 3, 12, 16, 0, tzinfo=TZ),
        participants=tuple(participants),
        votes=votes,
        settings=WorkshopSettings(template="success-obstacles"),
    )


def make_challenge(*, workshops: int = 5, notes_per_group: int = 19) -> ChallengeSnapshot:
    """Exactly 2,000 notes over five workshops when the defaults are kept."""
    snaps = tuple(
        make_workshop(notes_per_group=notes_per_group, seed=i, title=f"Lärlabb, workshop {i}")
        for i in range(1, workshops + 1)
    )
    first = snaps[0]
    return ChallengeSnapshot(
        question=first.challenge_question,
        description=first.challenge_description,
        organisation_name=first.organisation_name,
        workshops=snaps,
        exported_at=first.exported_at,
    )
