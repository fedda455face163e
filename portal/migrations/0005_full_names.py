"""One "Họ và tên" (portal.names): names stored split into last/first are joined, family
name first, into first_name; last_name is emptied."""

from django.conf import settings
from django.db import migrations


def names_join(apps, schema_editor):
    app_label, model = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model)
    for user in User.objects.exclude(last_name="").only("pk", "first_name", "last_name"):
        whole = " ".join(f"{user.last_name} {user.first_name}".split())[:150]
        User.objects.filter(pk=user.pk).update(first_name=whole, last_name="")


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_audit_seq_unique"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(names_join, migrations.RunPython.noop)]
