"""Drop the status-change triggers of 0002_status_notify: nothing listens to them any more
(the look-up reads PostgreSQL, see citizens/lookup.py). Dropping their function drops every
trigger that calls it (CASCADE). Nothing to do on SQLite, where they were never installed.
Going back leaves them dropped: they only ever fed a cache."""

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS motcua_status_notify() CASCADE;")


class Migration(migrations.Migration):
    dependencies = [("citizens", "0002_status_notify")]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop)]
