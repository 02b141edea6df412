"""Live events hold a typed event (kind + JSON fields) instead of rendered HTML.

The old rows are a replay log kept for a day (`retention.LIVE_EVENT_MAX_AGE`) whose HTML
cannot be turned back into events: they are dropped. A stream that resumes after one of
them simply finds nothing newer to replay.
"""

from django.db import migrations, models


def drop_rendered_events(apps, schema_editor):
    apps.get_model("workshops", "LiveEvent").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0006_text_policy"),
    ]

    operations = [
        migrations.RunPython(drop_rendered_events, migrations.RunPython.noop),
        migrations.RemoveField(model_name="liveevent", name="data"),
        migrations.AddField(
            model_name="liveevent",
            name="kind",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="liveevent",
            name="payload",
            field=models.JSONField(default=dict),
        ),
    ]
