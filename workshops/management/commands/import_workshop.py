import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from challenges.models import Organisation
from workshops.exports import import_archive_workshops


class Command(BaseCommand):
    help = "Recreate the workshops of an archive file in an organisation (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organisation", required=True, help="The organisation's slug.")
        parser.add_argument("--user", help="Username recorded as the importer (optional).")

    def handle(self, *args, file, organisation, user=None, **options):
        try:
            target = Organisation.objects.get(slug=organisation)
        except Organisation.DoesNotExist as error:
            raise CommandError(f"No organisation with slug {organisation!r}.") from error
        importer = None
        if user:
            importer = (
                get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: user}).first()
            )
            if importer is None:
                raise CommandError(f"No user {user!r}.")
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, RecursionError) as error:
            raise CommandError(f"Cannot read {file}: {error!r}") from error
        try:
            workshops = import_archive_workshops(data, organisation=target, user=importer)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        for workshop in workshops:
            self.stdout.write(f"{workshop.pk}\t{workshop.title}")
