"""Seed one SmsTemplate per kind of message with the default Vietnamese text (editable later)."""

from django.db import migrations


def seed(apps, schema_editor):
    from notifications.defaults import DEFAULT_TEMPLATES

    SmsTemplate = apps.get_model("notifications", "SmsTemplate")
    for name, (body, subject) in DEFAULT_TEMPLATES.items():
        # Only missing rows: an administrator's edits are never overwritten.
        SmsTemplate.objects.get_or_create(name=name, defaults={"body": body,
                                                              "email_subject": subject})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
