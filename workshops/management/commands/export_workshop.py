import sys

from django.core.management.base import BaseCommand, CommandError

from workshops.exports import build_workshop_snapshot, render_archive
from workshops.models import Workshop


class Command(BaseCommand):
    help = "Write a workshop's archive file (JSON, docs/archive-schema.json)."

    def add_arguments(self, parser):
        parser.add_argument("workshop_id", type=int)
        parser.add_argument("-o", "--output", help="File to write; standard output if left out.")

    def handle(self, *args, workshop_id, output=None, **options):
        try:
            workshop = Workshop.objects.get(pk=workshop_id)
        except Workshop.DoesNotExist as error:
            raise CommandError(f"No workshop with id {workshop_id}.") from error
        data = render_archive(build_workshop_snapshot(workshop))
        if output:
            with open(output, "wb") as file:
                file.write(data)
            self.stderr.write(f"Wrote {len(data)} bytes to {output}.")
        else:
            sys.stdout.buffer.write(data)
