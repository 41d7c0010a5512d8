"""A version token for what coverage counts in the directory, changed by triggers on the directory's
tables in the same transaction as the change.

SQLite rebuilds a table (and drops its triggers) when a migration alters it: a later directory migration
that alters these tables must create the triggers again. tests/needs/test_coverage.py fails if a raw
change no longer moves the token."""

import uuid

from django.db import migrations, models

WATCHED = [  # table, what fires the trigger
    ("directory_service", "INSERT"),
    ("directory_service", "DELETE"),
    ("directory_service", "UPDATE OF status, availability"),
    ("directory_servicecategory", "INSERT"),
    ("directory_servicecategory", "DELETE"),
    ("directory_servicecategory", "UPDATE"),
    ("directory_service_districts", "INSERT"),
    ("directory_service_districts", "DELETE"),
    ("directory_service_districts", "UPDATE"),
]


def _name(table: str, event: str) -> str:
    return f"needs_directory_version_{table.removeprefix('directory_')}_{event.split()[0].lower()}"


SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table}
        BEGIN UPDATE needs_directoryversion SET token = lower(hex(randomblob(16))) WHERE id = 1; END"""
    for table, event in WATCHED
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {_name(table, event)}" for table, event in WATCHED]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION needs_directory_changed() RETURNS trigger AS $$
       BEGIN UPDATE needs_directoryversion SET token = gen_random_uuid() WHERE id = 1; RETURN NULL; END;
       $$ LANGUAGE plpgsql""",
    *(
        f"""CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION needs_directory_changed()"""
        for table, event in WATCHED
    ),
]
POSTGRES_DROP = [
    *(f"DROP TRIGGER IF EXISTS {_name(table, event)} ON {table}" for table, event in WATCHED),
    "DROP FUNCTION IF EXISTS needs_directory_changed()",
]


def create_row(apps, schema_editor):
    apps.get_model("needs", "DirectoryVersion").objects.create(pk=1)


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0002_tally_version"),
        ("directory", "0005_stale_reminder"),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.UUIDField(default=uuid.uuid4)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
