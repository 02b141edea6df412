"""Tags ignore case: merge “Samverkan” and “samverkan” into one tag, then forbid a new pair.

`merge_tags_differing_in_case` keeps, of each group of tags whose names differ only in
case, the one on most challenges (the oldest on a tie), moves every challenge of the
others to it (a challenge that had both keeps one) and deletes the others. Then a unique
constraint on the lower-cased name. PostgreSQL lower-cases å, ä and ö; SQLite's lower()
only ASCII letters.
"""

import django.db.models.functions.text
from django.db import migrations, models


def merge_tags_differing_in_case(apps, schema_editor):
    Tag = apps.get_model("challenges", "Tag")
    Link = apps.get_model("challenges", "Challenge").tags.through
    groups = {}
    for tag in Tag.objects.annotate(uses=models.Count("challenges")).order_by("-uses", "pk"):
        groups.setdefault(tag.name.lower(), []).append(tag)
    for kept, *others in groups.values():
        if not others:
            continue
        other_ids = [tag.pk for tag in others]
        has_kept = Link.objects.filter(tag=kept).values("challenge_id")
        Link.objects.filter(tag_id__in=other_ids, challenge_id__in=has_kept).delete()
        moving = Link.objects.filter(tag_id__in=other_ids)
        seen = set()
        for link in moving.order_by("pk"):
            if link.challenge_id in seen:  # on two of the merged tags, not on the kept one
                link.delete()
            else:
                seen.add(link.challenge_id)
        moving.update(tag=kept)
        Tag.objects.filter(pk__in=other_ids).delete()
    if schema_editor.connection.vendor == "postgresql":
        # Run the deferred foreign key checks now: PostgreSQL refuses to index a table
        # with pending trigger events, and the constraint below is an index.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("challenges", "0005_search_folding")]

    operations = [
        migrations.RunPython(merge_tags_differing_in_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="unique_tag_name_any_case",
                violation_error_message="There is already a tag with this name.",
            ),
        ),
    ]
