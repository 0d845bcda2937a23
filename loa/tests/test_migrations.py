"""Upgrades run on a live database (docs/operations.md, "Upgrades"): every migration written
after the first release keeps to the rules that avoid long locks, and the migrations apply to a
database that holds a province's worth of records, forwards and back."""

import argparse
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

BENCH = Path(__file__).resolve().parents[2] / "bench"

# Written before any installation held data: they ran on empty databases only. Every migration
# after these is checked. (Add none here: fix the migration instead.)
FIRST_RELEASE = {
    ("budget", "0001_initial"),
    ("core", "0001_initial"),
    ("events", "0001_initial"),
    ("library", "0001_initial"),
    ("library", "0002_search_index"),
    ("library", "0003_head_vector"),
    ("org", "0001_initial"),
    ("org", "0002_role_approver"),
    ("org", "0003_person_zalo_id"),
    ("outreach", "0001_initial"),
    ("outreach", "0002_reminded_at"),
    ("outreach", "0003_zalo_groups"),
    ("outreach", "0004_webhooks"),
    ("outreach", "0005_rounds"),
    ("outreach", "0006_audience_groups"),
    ("outreach", "0007_mail_sending"),
    ("outreach", "0008_messages_and_zalo_account"),
    ("outreach", "0009_dispatch_files_and_topics"),
    ("plans", "0001_initial"),
    ("plans", "0002_evidence_unit"),
    ("reports", "0001_initial"),
    ("reports", "0002_inspections"),
}


def problems_of(migration) -> list[str]:
    """What in a migration would lock a big table for long, or could not be undone."""
    from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently

    found = []
    for operation in migration.operations:
        name = type(operation).__name__
        if isinstance(operation, migrations.AddIndex | migrations.RemoveIndex) and not isinstance(
            operation, AddIndexConcurrently | RemoveIndexConcurrently
        ):
            found.append(f"{name}: build the index CONCURRENTLY (AddIndexConcurrently)")
        elif isinstance(operation, migrations.AddConstraint) and isinstance(
            operation.constraint, models.UniqueConstraint
        ):
            found.append(f"{name}: a unique index first, CONCURRENTLY, then the constraint")
        elif isinstance(operation, migrations.AddField):
            field = operation.field
            has_default = field.has_default() or field.db_default is not models.NOT_PROVIDED
            if not (field.null or has_default or field.many_to_many):
                found.append(f"{name} {operation.name}: NOT NULL without a default")
        elif isinstance(operation, migrations.AlterField | migrations.RenameField):
            found.append(f"{name} {operation.name}: may rewrite the table; add a new column")
        elif isinstance(operation, migrations.RemoveField | migrations.DeleteModel):
            found.append(f"{name}: stop using it in one release, remove it in the next")
        elif isinstance(operation, migrations.RunPython) and operation.reverse_code is None:
            found.append(f"{name}: give it a reverse_code (RunPython.noop if nothing to undo)")
        elif isinstance(operation, migrations.RunSQL) and operation.reverse_sql is None:
            found.append(f"{name}: give it a reverse_sql")
    return found


def loa_migrations():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if migration.__module__.startswith("loa."):
            yield app, name, migration


def test_every_migration_since_the_first_release_keeps_to_the_rules_for_a_live_database():
    broken = {
        f"{app}.{name}": problems
        for app, name, migration in loa_migrations()
        if (app, name) not in FIRST_RELEASE and (problems := problems_of(migration))
    }
    assert broken == {}


def test_the_rules_catch_what_would_lock_a_table():
    """The checker itself, on a migration that breaks every rule."""

    class Careless(migrations.Migration):
        operations = [
            migrations.AddIndex("delivery", models.Index(fields=["comment"], name="slow")),
            migrations.AddField("delivery", "note", models.TextField()),
            migrations.AlterField("delivery", "comment", models.CharField(max_length=10)),
            migrations.RemoveField("delivery", "comment"),
            migrations.RunPython(lambda apps, schema: None),
        ]

    assert len(problems_of(Careless("0099_careless", "outreach"))) == 5


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_latest_migrations_apply_back_and_forth_on_a_filled_database():
    """The bench generator fills the database (a small province: the same code as the
    benchmarks); then each app's newest migration that no other app builds on is undone and done
    again, with a short lock timeout, as an upgrade would run it beside a working Loa; no table
    loses a row."""
    if connection.vendor != "postgresql":
        pytest.skip("the production profile's upgrades run on PostgreSQL")
    sys.path.insert(0, str(BENCH))
    import province

    today = timezone.localdate()
    size = argparse.Namespace(
        agencies=6, units_per_agency=5, people=600, activities=3000, attendance=10
    )
    province.generate(size, today)
    province.add_dispatches(4, today)

    loa_apps = {app for app, _name, _migration in loa_migrations()}

    def counts() -> dict[str, int]:
        """Rows of every table of Loa's apps (their through tables too)."""
        tables = [t for t in connection.introspection.table_names() if t.split("_")[0] in loa_apps]
        with connection.cursor() as cursor:
            found = {}
            for table in tables:
                cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own names
                found[table] = cursor.fetchone()[0]
        return found

    before = counts()
    filled = {"org_person", "outreach_delivery", "events_attendance", "library_document"}
    assert all(before[table] > 0 for table in filled - {"library_document"})
    loader = MigrationLoader(connection)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")  # an upgrade waits briefly, then gives up
    # The newest migration of each app that nothing builds on yet is undone and done again, as
    # an upgrade that goes wrong is rolled back and retried (undoing one that other apps build on
    # would drop their tables first: not what an upgrade does). Tables an undone migration made
    # are dropped with their rows (empty here): those are not counted afterwards.
    dropped: set[str] = set()
    undone = []
    for app, name in sorted(loader.graph.leaf_nodes()):
        node = loader.graph.node_map[(app, name)]
        if app not in loa_apps or node.children:
            continue  # another app's migration builds on it
        parents = [p for a, p in node.parents if a == app]
        call_command("migrate", app, parents[0] if parents else "zero", verbosity=0)
        dropped |= set(before) - set(connection.introspection.table_names())
        call_command("migrate", verbosity=0)  # and the upgrade does it again
        undone.append(f"{app}.{name}")
    assert {"reports.0003_deadline_notices", "voices.0001_initial"} <= set(undone)
    assert not dropped & filled
    after = counts()
    assert {t: n for t, n in after.items() if t not in dropped} == {
        t: n for t, n in before.items() if t not in dropped
    }
