"""The workbench's dossier search through trigram indexes (PostgreSQL only).

The search matches the code, phone and ID number with `icontains` (UPPER(col::text) LIKE
'%…%') and the folded name's words with `contains`: without these indexes each search reads
every dossier in the officer's scope. Built CONCURRENTLY, so a live database keeps taking
dossiers while they build (hence a non-atomic migration).
"""

from django.db import migrations

INDEXES = {
    "dossier_code_trgm": "upper(code::text) gin_trgm_ops",
    "dossier_phone_trgm": "upper(applicant_phone::text) gin_trgm_ops",
    "dossier_id_number_trgm": "upper(applicant_id_number::text) gin_trgm_ops",
    "dossier_search_text_trgm": "search_text gin_trgm_ops",
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON dossiers_dossier "
            f"USING gin ({expression})"
        )


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dossiers", "0013_workbench_order"),
        ("procedures", "0003_search"),  # pg_trgm
    ]

    operations = [migrations.RunPython(indexes_create, indexes_drop)]
