"""The archive file: a versioned JSON document (docs/archive-schema.json) that recreates
a workshop, or every workshop of a challenge, on another Labb server.

Re-importing is idempotent: a workshop of the target organisation with the same challenge
question, title and date that already holds one of the archive's notes (matched by
`client_id`) is taken to be the same workshop and is returned as it is, not duplicated.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from audit.events import Action, record
from labb.text import clean_text

from .snapshot import NoteSnapshot, Snapshot, WorkshopSnapshot

ARCHIVE_FORMAT = "labb-archive"
ARCHIVE_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "archive-schema.json"


@cache
def archive_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def archive_document(snapshot: Snapshot) -> dict:
    """The archive as a JSON-ready dict."""
    workshops = snapshot.workshops if hasattr(snapshot, "workshops") else (snapshot,)
    first = workshops[0] if workshops else None
    if hasattr(snapshot, "workshops"):
        challenge_question, description = snapshot.question, snapshot.description
    else:
        challenge_question, description = (
            snapshot.challenge_question,
            snapshot.challenge_description,
        )
    return {
        "format": ARCHIVE_FORMAT,
        "version": ARCHIVE_VERSION,
        "exported_at": _iso(snapshot.exported_at),
        "organisation": {"name": snapshot.organisation_name},
        "challenge": {
            "question": challenge_question,
            "description": description,
            "status": first.challenge_status if first else "exploring",
            "visibility": first.challenge_visibility if first else "organisation",
            "tags": list(first.challenge_tags) if first else [],
        },
        "workshops": [_workshop_document(w) for w in workshops],
    }


def _note_document(note: NoteSnapshot) -> dict:
    return {
        "client_id": note.ref,
        "group": note.group_ref,
        "column": note.column_ref,
        "participant": note.participant_ref,
        "author_name": note.author_name,
        "text": note.text,
        "status": note.status,
        "theme": note.theme_ref,
        "merged_into": note.merged_into,
        "position": note.position,
        "created_at": _iso(note.created_at),
    }


def _workshop_document(w: WorkshopSnapshot) -> dict:
    s = w.settings
    return {
        "title": w.title,
        "question": w.question,
        "date": _iso(w.date),
        "place": w.place,
        "created_at": _iso(w.created_at),
        "settings": {
            "template": s.template,
            "kind": s.kind,
            "phase": s.phase,
            "accepting_notes": s.accepting_notes,
            "group_assignment": s.group_assignment,
            "screening": s.screening,
            "participants_can_cluster": s.participants_can_cluster,
            "vote_budget": s.vote_budget,
            "votes_stackable": s.votes_stackable,
            "votes_hidden": s.votes_hidden,
            "timer_locks_writing": s.timer_locks_writing,
            "retain_until": _iso(s.retain_until),
            "keep": s.keep,
        },
        "facilitators": [{"name": f.name, "username": f.username} for f in w.facilitators],
        "columns": [
            {"ref": c.ref, "title": c.title, "prompt": c.prompt, "colour": c.colour}
            for c in w.columns
        ],
        "groups": [{"ref": g.ref, "name": g.name} for g in w.groups],
        "participants": [
            {
                "ref": p.ref,
                "display_name": p.display_name,
                "group": p.group_ref,
                "joined_at": _iso(p.joined_at),
            }
            for p in w.participants
        ],
        "themes": [
            {"ref": t.ref, "name": t.name, "created_at": _iso(t.created_at)} for t in w.themes
        ],
        "notes": [_note_document(n) for n in (*w.notes, *w.withheld_notes)],
        "votes": [
            {
                "participant": v.participant_ref,
                "note": v.note_ref,
                "theme": v.theme_ref,
                "created_at": _iso(v.created_at),
            }
            for v in w.votes
        ],
        "next_steps": [
            {
                "ref": a.ref,
                "title": a.title,
                "owner_name": a.owner_name,
                "due_date": _iso(a.due_date),
                "status": a.status,
                "created_at": _iso(a.created_at),
                "notes": list(a.note_refs),
                "themes": list(a.theme_refs),
            }
            for a in w.next_steps
        ],
    }


def render_archive(snapshot: Snapshot) -> bytes:
    """The archive file, UTF-8 JSON, indented for people who open it in an editor."""
    return json.dumps(archive_document(snapshot), ensure_ascii=False, indent=1).encode("utf-8")


# --- Import ------------------------------------------------------------------------------


def validate_archive(data: object) -> None:
    """Raise ValidationError (translated, one message per problem) unless `data` is a
    version-1 archive whose references all resolve."""
    from jsonschema import Draft202012Validator, FormatChecker

    if not isinstance(data, dict) or data.get("format") != ARCHIVE_FORMAT:
        raise ValidationError(gettext("This is not a Labb archive file."), code="format")
    if data.get("version") != ARCHIVE_VERSION:
        raise ValidationError(
            gettext("This archive has version %(version)s; this server reads version %(ours)s.")
            % {"version": data.get("version"), "ours": ARCHIVE_VERSION},
            code="version",
        )
    _check_text_and_depth(data)
    validator = Draft202012Validator(archive_schema(), format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise ValidationError(
            [
                ValidationError(
                    gettext("Invalid archive at %(path)s: %(problem)s")
                    % {
                        "path": "/".join(str(p) for p in e.absolute_path) or "/",
                        "problem": e.message,
                    },
                    code="schema",
                )
                for e in errors[:20]
            ]
        )
    _check_times(data)
    problems: list[str] = []
    for index, w in enumerate(data["workshops"]):
        refs = {
            kind: [item["ref"] for item in w[kind]]
            for kind in ("columns", "groups", "participants", "themes", "next_steps")
        }
        notes = [n["client_id"].lower() for n in w["notes"]]
        for kind, values in (*refs.items(), ("notes", notes)):
            if len(values) != len(set(values)):
                problems.append(
                    gettext("Workshop %(n)s: the same %(kind)s reference appears twice.")
                    % {"n": index + 1, "kind": kind}
                )
        known = {kind: set(values) for kind, values in refs.items()} | {"notes": set(notes)}

        def check(value, kind, where, known=known, index=index):
            if value is not None and str(value).lower() not in known[kind]:
                problems.append(
                    gettext(
                        "Workshop %(n)s: %(where)s refers to %(ref)s, which is not in the file."
                    )
                    % {"n": index + 1, "where": where, "ref": value}
                )

        for p in w["participants"]:
            check(p["group"], "groups", gettext("a participant"))
        for n in w["notes"]:
            check(n["group"], "groups", gettext("a note"))
            check(n["column"], "columns", gettext("a note"))
            check(n["participant"], "participants", gettext("a note"))
            check(n["theme"], "themes", gettext("a note"))
            check(n["merged_into"], "notes", gettext("a note"))
        for v in w["votes"]:
            check(v["participant"], "participants", gettext("a vote"))
            check(v["note"], "notes", gettext("a vote"))
            check(v["theme"], "themes", gettext("a vote"))
        for a in w["next_steps"]:
            for ref in a["notes"]:
                check(ref, "notes", gettext("a next step"))
            for ref in a["themes"]:
                check(ref, "themes", gettext("a next step"))
    if problems:
        raise ValidationError([ValidationError(p, code="reference") for p in problems[:20]])


# An archive is at most seven levels deep (document → workshops → workshop → notes → note →
# refs list → ref); anything much deeper is not an archive, and walking it is what hits the
# recursion limit.
MAX_DEPTH = 16
# Dates PostgreSQL, SQLite and Python all store and read back, with room for any offset.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _path(parts) -> str:
    return "/".join(str(p) for p in parts) or "/"


def _check_text_and_depth(data: object) -> None:
    """Refuse NUL in any text (PostgreSQL cannot store it) and documents nested deeper than
    an archive can be, then put every other text under the text policy (labb/text.py), in
    place and before the schema's length limits are checked. Walked without recursion, so
    the depth of the document cannot break the check itself."""
    problems: list[str] = []

    def text(value: str, path: tuple) -> str:
        if "\x00" in value:
            if len(problems) < 20:
                problems.append(
                    gettext("Invalid archive at %(path)s: a text contains a NUL character.")
                    % {"path": _path(path)}
                )
            return value
        return clean_text(value)

    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise ValidationError(
                gettext("This is not a Labb archive file (nested too deeply)."), code="depth"
            )
        if isinstance(node, dict):
            for key in list(node):
                value = node.pop(key)
                key = text(key, (*path, key)) if isinstance(key, str) else key
                if isinstance(value, str):
                    value = text(value, (*path, key))
                else:
                    stack.append((value, (*path, key)))
                node[key] = value
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    node[index] = text(value, (*path, index))
                else:
                    stack.append((value, (*path, index)))
    if problems:
        raise ValidationError([ValidationError(p, code="nul") for p in problems])


def _check_times(data: dict) -> None:
    """Every date and time within the years that every database and Python can read back."""
    problems: list[str] = []

    def check(value, path, kind) -> None:
        if value is None or len(problems) >= 20:
            return
        try:
            parsed = _date(value) if kind == "date" else _datetime(value)
        except ValidationError as error:
            problems.append(
                gettext("Invalid archive at %(path)s: %(problem)s")
                % {"path": _path(path), "problem": " ".join(error.messages)}
            )
            return
        # Checked as written: any UTC offset then moves it at most a day, still well within
        # what psycopg and Python read back (it was year 10000 in UTC that broke them).
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            problems.append(
                gettext(
                    "Invalid archive at %(path)s: %(value)s is outside the years %(first)s"
                    " to %(last)s."
                )
                % {"path": _path(path), "value": value, "first": FIRST_YEAR, "last": LAST_YEAR}
            )

    check(data.get("exported_at"), ("exported_at",), "datetime")
    for i, w in enumerate(data["workshops"]):
        at = ("workshops", i)
        check(w["date"], (*at, "date"), "date")
        check(w["created_at"], (*at, "created_at"), "datetime")
        check(w["settings"]["retain_until"], (*at, "settings", "retain_until"), "date")
        for kind, field in (
            ("participants", "joined_at"),
            ("themes", "created_at"),
            ("notes", "created_at"),
            ("votes", "created_at"),
            ("next_steps", "created_at"),
            ("next_steps", "due_date"),
        ):
            for j, row in enumerate(w[kind]):
                check(
                    row[field], (*at, kind, j, field), "date" if field == "due_date" else "datetime"
                )
    if problems:
        raise ValidationError([ValidationError(p, code="range") for p in problems])


def _datetime(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(
            gettext("%(value)s is not a valid date and time.") % {"value": value}, code="date"
        ) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise ValidationError(
            gettext("%(value)s is not a valid date.") % {"value": value}, code="date"
        ) from error


def import_archive(data: dict, *, organisation, user) -> Workshop:  # noqa: F821
    """Recreate the archive's workshops in `organisation` and return the first.

    Validates first; everything is created in one transaction. Importing the same file
    again returns the workshops created the first time instead of duplicating them.
    """
    return import_archive_workshops(data, organisation=organisation, user=user)[0]


def import_archive_workshops(data: dict, *, organisation, user) -> list:
    """Like `import_archive`, returning every workshop of the archive (challenge archives
    hold several)."""
    from challenges.models import Challenge, Tag

    validate_archive(data)
    challenge_data = data["challenge"]
    with transaction.atomic():
        challenge = (
            Challenge.objects.filter(organisation=organisation, question=challenge_data["question"])
            .order_by("pk")
            .first()
        )
        if challenge is None:
            challenge = Challenge.objects.create(
                organisation=organisation,
                question=challenge_data["question"],
                description=challenge_data["description"],
                status=challenge_data["status"],
                visibility=challenge_data["visibility"],
                created_by=user,
            )
            tags = [
                Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})[0]
                for name in challenge_data["tags"]
            ]
            challenge.tags.set(tags)
        workshops = [_import_workshop(w, challenge=challenge, user=user) for w in data["workshops"]]
        record(
            action=Action.IMPORTED,
            actor=user,
            organisation_id=organisation.pk,
            target=challenge,
            detail={"workshops": [workshop.pk for workshop in workshops]},
        )
        return workshops


def _existing_workshop(w: dict, *, challenge):
    from workshops.models import Note, Workshop

    candidates = Workshop.objects.filter(
        challenge=challenge, title=w["title"], date=_date(w["date"])
    )
    client_ids = [n["client_id"] for n in w["notes"]]
    if client_ids:
        workshop_id = (
            Note.objects.filter(workshop__in=candidates, client_id__in=client_ids[:200])
            .values_list("workshop", flat=True)
            .first()
        )
        return Workshop.objects.get(pk=workshop_id) if workshop_id else None
    return candidates.filter(notes__isnull=True).order_by("pk").first()


def _import_workshop(w: dict, *, challenge, user):
    from django.contrib.auth import get_user_model

    from workshops.models import (
        ActionItem,
        Column,
        Group,
        Note,
        Participant,
        Theme,
        Vote,
        Workshop,
    )

    existing = _existing_workshop(w, challenge=challenge)
    if existing:
        return existing
    s = w["settings"]
    workshop = Workshop.objects.create(
        challenge=challenge,
        title=w["title"],
        question=w["question"],
        date=_date(w["date"]),
        place=w["place"],
        template=s["template"],
        kind=s["kind"],
        phase=s["phase"],
        accepting_notes=s["accepting_notes"],
        group_assignment=s["group_assignment"],
        screening=s["screening"],
        participants_can_cluster=s["participants_can_cluster"],
        vote_budget=s["vote_budget"],
        votes_stackable=s["votes_stackable"],
        votes_hidden=s["votes_hidden"],
        timer_locks_writing=s["timer_locks_writing"],
        retain_until=_date(s["retain_until"]),
        keep=s["keep"],
        created_by=user,
    )
    if w["created_at"]:
        Workshop.objects.filter(pk=workshop.pk).update(created_at=_datetime(w["created_at"]))
    usernames = [f["username"] for f in w["facilitators"] if f["username"]]
    user_model = get_user_model()
    workshop.facilitators.set(
        user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__in": usernames})
    )

    columns = {
        c["ref"]: Column(
            workshop=workshop, title=c["title"], prompt=c["prompt"], colour=c["colour"], position=i
        )
        for i, c in enumerate(w["columns"])
    }
    Column.objects.bulk_create(columns.values())
    groups = {
        g["ref"]: Group(
            workshop=workshop, name=g["name"], position=i, token=secrets.token_urlsafe(16)
        )
        for i, g in enumerate(w["groups"])
    }
    Group.objects.bulk_create(groups.values())
    participants = {
        p["ref"]: Participant(
            workshop=workshop, group=groups.get(p["group"]), display_name=p["display_name"]
        )
        for p in w["participants"]
    }
    Participant.objects.bulk_create(participants.values())
    _restore_times(Participant, participants, w["participants"], "joined_at")
    themes = {
        t["ref"]: Theme(workshop=workshop, name=t["name"], position=i)
        for i, t in enumerate(w["themes"])
    }
    Theme.objects.bulk_create(themes.values())
    _restore_times(Theme, themes, w["themes"], "created_at")
    notes = {}
    for n in w["notes"]:
        notes[n["client_id"].lower()] = Note(
            workshop=workshop,
            group=groups[n["group"]],
            column=columns[n["column"]],
            participant=participants.get(n["participant"]),
            author_name=n["author_name"],
            text=n["text"],
            client_id=n["client_id"],
            status=n["status"],
            theme=themes.get(n["theme"]),
            position=n["position"],
            created_at=_datetime(n["created_at"]),
        )
    Note.objects.bulk_create(notes.values())
    merged = []
    for n in w["notes"]:
        if n["merged_into"]:
            note = notes[n["client_id"].lower()]
            note.merged_into = notes[n["merged_into"].lower()]
            merged.append(note)
    Note.objects.bulk_update(merged, ["merged_into"])
    votes = [
        Vote(
            workshop=workshop,
            participant=participants[v["participant"]],
            note=notes.get((v["note"] or "").lower()),
            theme=themes.get(v["theme"]),
        )
        for v in w["votes"]
    ]
    Vote.objects.bulk_create(votes)
    for vote, v in zip(votes, w["votes"], strict=True):
        vote.created_at = _datetime(v["created_at"])
    Vote.objects.bulk_update(votes, ["created_at"], batch_size=500)
    for a in w["next_steps"]:
        item = ActionItem.objects.create(
            workshop=workshop,
            challenge=challenge,
            title=a["title"],
            owner_name=a["owner_name"],
            due_date=_date(a["due_date"]),
            status=a["status"],
        )
        ActionItem.objects.filter(pk=item.pk).update(created_at=_datetime(a["created_at"]))
        item.notes.set([notes[ref.lower()] for ref in a["notes"]])
        item.themes.set([themes[ref] for ref in a["themes"]])
    return workshop


def _restore_times(model, objects: dict, rows: list[dict], field_name: str) -> None:
    """`auto_now_add` overwrites times on create; put the archive's back."""
    for row in rows:
        setattr(objects[row["ref"]], field_name, _datetime(row[field_name]))
    model.objects.bulk_update(objects.values(), [field_name], batch_size=500)
