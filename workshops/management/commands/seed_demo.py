"""Load Labb's Swedish demo data: an organisation, demo accounts, challenges and workshops."""

import datetime
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from challenges.models import Challenge, Membership, Organisation, Tag
from workshops import demo_data
from workshops.models import ActionItem, Note, Theme, Workshop
from workshops.services.notes import note_create
from workshops.services.workshops import workshop_create

DEMO_PASSWORD = "labb-demo"  # noqa: S105 - printed for the local demo on purpose
DEMO_USERS = (
    ("facilitator", "Frida", "Facilitator", Membership.Role.FACILITATOR, False),
    ("staff", "Sam", "Regionstab", Membership.Role.STAFF, False),
    ("orgadmin", "Agnes", "Organisationsadmin", Membership.Role.ADMIN, False),
    ("admin", "Ada", "Admin", Membership.Role.FACILITATOR, True),
)


class Command(BaseCommand):
    help = "Create demo accounts, challenges and workshops (does nothing if they exist)."

    def handle(self, *args, **options):
        org_data = demo_data.DEMO_ORGANISATION
        if Organisation.objects.filter(slug=org_data["slug"]).exists():
            self.stdout.write("Demo data already loaded.")
            return
        with transaction.atomic():
            self._load(org_data)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _load(self, org_data: dict) -> None:
        organisation = Organisation.objects.create(name=org_data["name"], slug=org_data["slug"])
        users = {}
        user_model = get_user_model()
        for username, first, last, role, superuser in DEMO_USERS:
            user = user_model.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_staff=superuser,
                is_superuser=superuser,
            )
            Membership.objects.create(user=user, organisation=organisation, role=role)
            users[username] = user
        facilitator = users["facilitator"]
        today = timezone.localdate()
        for spec in demo_data.DEMO_CHALLENGES:
            challenge = Challenge.objects.create(
                organisation=organisation,
                question=spec["question"],
                description=spec["description"],
                status=spec["status"],
                visibility=spec["visibility"],
                created_by=facilitator,
            )
            challenge.tags.set(
                Tag.objects.get_or_create(name__iexact=name, defaults={"name": name})[0]
                for name in spec["tags"]
            )
            for workshop_spec in spec["workshops"]:
                self._load_workshop(challenge, workshop_spec, facilitator, today)
        first = Challenge.objects.filter(organisation=organisation).order_by("pk").first()
        live = workshop_create(
            challenge=first,
            user=facilitator,
            title="Prova själv: live-workshop",
            template_key="success_obstacles",
            group_count=4,
            place="Stora salen",
        )
        # Revealed, so that a note posted from a phone shows on the board at once; the
        # facilitator can step back to private writing from the phase panel.
        live.phase = Workshop.Phase.REVEAL
        live.save(update_fields=["phase"])

    def _load_workshop(self, challenge, spec: dict, user, today: datetime.date) -> None:
        workshop = workshop_create(
            challenge=challenge,
            user=user,
            title=spec["title"],
            template_key="custom",
            custom_columns=[column["title"] for column in spec["columns"]],
            question=spec["question"],
            group_count=len(spec["groups"]),
            date=today + datetime.timedelta(days=spec["date_offset_days"]),
            place=spec["place"],
            kind=spec["kind"],
        )
        workshop.template = spec["template"]
        workshop.phase = spec["phase"]
        workshop.save(update_fields=["template", "phase"])
        columns = {}
        for column_spec, column in zip(spec["columns"], workshop.columns.all(), strict=True):
            column.prompt = column_spec["prompt"]
            column.colour = column_spec["colour"]
            column.save(update_fields=["prompt", "colour"])
            columns[column_spec["key"]] = column
        notes_by_text: dict[str, Note] = {}
        minute = 0
        for group_spec, group in zip(spec["groups"], workshop.groups.all(), strict=True):
            group.name = group_spec["name"]
            group.save(update_fields=["name"])
            for key, texts in group_spec["notes"].items():
                for text in texts:
                    note, _created = note_create(
                        workshop=workshop,
                        group=group,
                        column=columns[key],
                        text=text,
                        client_id=uuid.uuid4(),
                    )
                    minute += 1
                    Note.objects.filter(pk=note.pk).update(
                        created_at=timezone.now() - datetime.timedelta(minutes=600 - minute)
                    )
                    notes_by_text[text] = note
        themes = {}
        for position, theme_spec in enumerate(spec["themes"]):
            theme = Theme.objects.create(
                workshop=workshop, name=theme_spec["name"], position=position
            )
            Note.objects.filter(pk__in=[notes_by_text[t].pk for t in theme_spec["notes"]]).update(
                theme=theme
            )
            themes[theme.name] = theme
        for step in spec["next_steps"]:
            item = ActionItem.objects.create(
                workshop=workshop,
                challenge=challenge,
                title=step["title"],
                owner_name=step["owner_name"],
                due_date=workshop.date + datetime.timedelta(days=step["due_in_days"]),
                status=step["status"],
            )
            item.themes.set(themes[name] for name in step["themes"])
