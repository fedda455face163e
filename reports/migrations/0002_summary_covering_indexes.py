"""Covering partial indexes for the report queries (PostgreSQL only).

A report sums the counters of the month rows (and of the day rows at a period's ragged ends)
of a date range: with the counters in the index, PostgreSQL answers from the index alone
(an index-only scan) instead of visiting rows scattered over the table. SQLite has no
INCLUDE: it keeps the plain (grain, period) index.
"""

from django.db import migrations

COUNTERS = "received, resolved_early, resolved_on_time, resolved_late, withdrawn, due, due_met"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for grain in ("month", "day"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS summary_{grain}_cover ON reports_summaryrow "
            f"(period, unit_id, channel, procedure_id) INCLUDE ({COUNTERS}) "
            f"WHERE grain = '{grain}'")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for grain in ("month", "day"):
        schema_editor.execute(f"DROP INDEX IF EXISTS summary_{grain}_cover")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
