"""PostgreSQL tells the status listener (citizens/status_listener.py) about every change a
citizen's status document shows: a row trigger on the dossier and on each table the document
reads calls pg_notify('motcua_status', <dossier code>). NOTIFY is delivered at commit, never
for a rolled-back transaction, and catches every writer: services, the admin, bulk updates,
raw SQL. On SQLite (the embedded default) nothing is installed: there the look-up never uses
the listener's cache (citizens/lookup_fast.py).

The tables are the ones `citizens.selectors.dossier_status_document` reads;
tests/citizens/test_status_listener.py fails when a new model pointing at Dossier is neither
here nor named there as not shown.
"""

from django.db import migrations

CHANNEL = "motcua_status"
DOSSIER_TABLE = "dossiers_dossier"
CHILD_TABLES = ("dossiers_dossierevent", "dossiers_dossieraccess", "dossiers_dossierfile",
                "dossiers_supplementrequest", "dossiers_apology", "citizens_rating")

FUNCTION = f"""
CREATE OR REPLACE FUNCTION motcua_status_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row_data jsonb;
    dossier_code text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_data := to_jsonb(OLD);
    ELSE
        row_data := to_jsonb(NEW);
    END IF;
    IF TG_TABLE_NAME = '{DOSSIER_TABLE}' THEN
        dossier_code := row_data ->> 'code';
    ELSE
        SELECT code INTO dossier_code FROM {DOSSIER_TABLE}
         WHERE id = (row_data ->> 'dossier_id')::bigint;
    END IF;
    IF dossier_code IS NOT NULL THEN
        PERFORM pg_notify('{CHANNEL}', dossier_code);
    END IF;
    RETURN NULL;
END;
$$;
"""


def _trigger(table: str) -> str:
    return (f"DROP TRIGGER IF EXISTS motcua_status_notify ON {table}; "
            f"CREATE TRIGGER motcua_status_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION motcua_status_notify();")


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in (DOSSIER_TABLE, *CHILD_TABLES):
        schema_editor.execute(_trigger(table))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in (DOSSIER_TABLE, *CHILD_TABLES):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS motcua_status_notify ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS motcua_status_notify();")


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0001_initial"),
        ("dossiers", "0005_payments"),
    ]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
