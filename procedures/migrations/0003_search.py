"""The catalogue search: pg_trgm and unaccent on PostgreSQL, the synonym list, the i/y key."""

import json
from pathlib import Path

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models

from procedures.text import search_key

SYNONYMS = Path(__file__).resolve().parent.parent / "data" / "search_synonyms.json"
TRIGRAM_INDEX = "procedure_search_text_trgm"


def synonyms_load(apps, schema_editor):
    SearchSynonym = apps.get_model("procedures", "SearchSynonym")
    for row in json.loads(SYNONYMS.read_text(encoding="utf-8")):
        SearchSynonym.objects.update_or_create(phrase=row["phrase"], defaults={"means": row["means"]})


def search_text_rebuild(apps, schema_editor):
    Procedure = apps.get_model("procedures", "Procedure")
    for procedure in Procedure.objects.only("pk", "code", "name").iterator():
        Procedure.objects.filter(pk=procedure.pk).update(
            search_text=search_key(f"{procedure.code} {procedure.name}")
        )


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {TRIGRAM_INDEX} ON procedures_procedure "
            "USING gin (search_text gin_trgm_ops)"
        )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0002_unit_life_limits_online_service"),
    ]

    operations = [
        # Both operations do nothing on databases other than PostgreSQL.
        TrigramExtension(),
        UnaccentExtension(),
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("phrase", models.CharField(max_length=200, unique=True, verbose_name="cách nói của người dân")),
                ("means", models.CharField(max_length=300, verbose_name="tên trong danh mục thủ tục")),
            ],
            options={
                "verbose_name": "từ đồng nghĩa khi tìm thủ tục",
                "verbose_name_plural": "từ đồng nghĩa khi tìm thủ tục",
                "ordering": ["phrase"],
            },
        ),
        migrations.RunPython(synonyms_load, migrations.RunPython.noop),
        migrations.RunPython(search_text_rebuild, migrations.RunPython.noop),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
