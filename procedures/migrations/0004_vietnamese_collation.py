"""The "vietnamese" collation on PostgreSQL (procedures.collation): ICU's `vi` when the server
has ICU; otherwise the C library's vi_VN, or as a last resort "C" (code-point order). SQLite
gets the same name from Python on each connection (procedures.apps)."""

from django.db import migrations

CREATE = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_collation WHERE collprovider = 'i') THEN
    CREATE COLLATION IF NOT EXISTS vietnamese (provider = icu, locale = 'vi');
  ELSIF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'vi_VN.utf8') THEN
    CREATE COLLATION IF NOT EXISTS vietnamese FROM "vi_VN.utf8";
  ELSE
    CREATE COLLATION IF NOT EXISTS vietnamese FROM "C";
  END IF;
END
$$;
"""


def collation_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def collation_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS vietnamese")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_search")]

    operations = [migrations.RunPython(collation_create, collation_drop)]
