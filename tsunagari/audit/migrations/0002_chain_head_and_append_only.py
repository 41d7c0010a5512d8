"""Create the chain head and make the activity log append-only in the database itself."""

from django.db import migrations

GENESIS_HASH = "0" * 64

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_activitylog_no_update BEFORE UPDATE ON audit_activitylog
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog is append-only'); END""",
    """CREATE TRIGGER audit_activitylog_no_delete BEFORE DELETE ON audit_activitylog
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog is append-only'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_activitylog_no_update", "DROP TRIGGER IF EXISTS audit_activitylog_no_delete"]

POSTGRES_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_activitylog_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_activitylog is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_activitylog_no_change BEFORE UPDATE OR DELETE ON audit_activitylog
       FOR EACH ROW EXECUTE FUNCTION audit_activitylog_append_only()""",
    """CREATE TRIGGER audit_activitylog_no_truncate BEFORE TRUNCATE ON audit_activitylog
       FOR EACH STATEMENT EXECUTE FUNCTION audit_activitylog_append_only()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_activitylog_no_change ON audit_activitylog",
    "DROP TRIGGER IF EXISTS audit_activitylog_no_truncate ON audit_activitylog",
    "DROP FUNCTION IF EXISTS audit_activitylog_append_only()",
]


def create_head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
