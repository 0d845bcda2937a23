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
    benchmarks); then each app's latest migration is undone and done again, with a short lock
    timeout, as an upgrade would run it beside a working Loa; nothing is lost."""
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

    from loa.events.models import Attendance
    from loa.org.models import Person
    from loa.outreach.models import Delivery

    counted = [Person, Delivery, Attendance]
    before = [model.objects.count() for model in counted]
    assert min(before) > 0
    loader = MigrationLoader(connection)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '5s'")  # an upgrade waits briefly, then gives up
    # The newest migration of each app that nothing depends on yet: undoing it touches only
    # what it made (undoing one that others build on would drop their tables first).
    undone, loa_apps = 0, {app for app, _name, _migration in loa_migrations()}
    for app, name in sorted(loader.graph.leaf_nodes()):
        if app not in loa_apps or loader.graph.node_map[(app, name)].children:
            continue  # another app's migration builds on it
        parents = [p for a, p in loader.graph.node_map[(app, name)].parents if a == app]
        if not parents:
            continue  # an app with one migration: undoing it would drop its tables
        call_command("migrate", app, parents[0], verbosity=0)
        call_command("migrate", verbosity=0)  # and the upgrade does it again
        undone += 1
    assert undone
    assert [model.objects.count() for model in counted] == before
