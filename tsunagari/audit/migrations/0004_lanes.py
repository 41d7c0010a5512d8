"""Split the activity log into lanes: independent chains, each with its own head, so that writers on
PostgreSQL need not queue on one lock (docs/architecture.md, "The activity log").

The existing chain becomes lane 0 as it is: its rows keep their ``seq`` (now the place in the lane) and
their hashes (lane 0's content does not name its lane), the head keeps its seq and hash, and a head
recorded with an old backup (``SEQ:HASH``) still verifies. Nothing is rehashed, so a chain that was
broken stays broken. Each row gets ``id``, a number across lanes, equal to its old ``seq``.

The triggers now check continuity per lane, and a new lane's head may only be created empty.
Going back is possible only while no row has been written outside lane 0.
"""

from django.db import migrations, models

GENESIS_HASH = "0" * 64

SQLITE_OLD = [
    "audit_activitylog_no_update",
    "audit_activitylog_no_delete",
    "audit_activitylog_append_at_head",
    "audit_chainhead_advance_only",
    "audit_chainhead_no_delete",
]

# The whole set after this migration (tests/conftest.py restores it after a flush).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_activitylog_no_update BEFORE UPDATE ON audit_activitylog
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog is append-only'); END""",
    """CREATE TRIGGER audit_activitylog_no_delete BEFORE DELETE ON audit_activitylog
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog is append-only'); END""",
    """CREATE TRIGGER audit_activitylog_append_at_head BEFORE INSERT ON audit_activitylog
       WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_chainhead WHERE id = NEW.lane)
         OR NEW.prev_hash IS NOT (SELECT hash FROM audit_chainhead WHERE id = NEW.lane)
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog rows are appended after the head of their lane only'); END""",
    f"""CREATE TRIGGER audit_chainhead_starts_empty BEFORE INSERT ON audit_chainhead
       WHEN NEW.seq IS NOT 0 OR NEW.hash IS NOT '{GENESIS_HASH}'
       BEGIN SELECT RAISE(ABORT, 'audit_chainhead: a new lane starts empty'); END""",
    """CREATE TRIGGER audit_chainhead_advance_only BEFORE UPDATE ON audit_chainhead
       WHEN NOT (NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
         SELECT 1 FROM audit_activitylog
         WHERE lane = NEW.id AND seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash))
       BEGIN SELECT RAISE(ABORT, 'audit_chainhead only advances with the chain'); END""",
    """CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
       BEGIN SELECT RAISE(ABORT, 'audit_chainhead only advances with the chain'); END""",
]

POSTGRES_OLD = [
    "DROP TRIGGER IF EXISTS audit_activitylog_no_change ON audit_activitylog",
    "DROP TRIGGER IF EXISTS audit_activitylog_append_at_head ON audit_activitylog",
    "DROP TRIGGER IF EXISTS audit_chainhead_advance_only ON audit_chainhead",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead",
]

# audit_activitylog_no_truncate (0002) stays: TRUNCATE is refused throughout.
POSTGRES_TRIGGERS = [
    """CREATE TRIGGER audit_activitylog_no_change BEFORE UPDATE OR DELETE ON audit_activitylog
       FOR EACH ROW EXECUTE FUNCTION audit_activitylog_append_only()""",
    """CREATE OR REPLACE FUNCTION audit_activitylog_append_at_head() RETURNS trigger AS $$
       DECLARE head_seq bigint; head_hash varchar;
       BEGIN
         SELECT seq, hash INTO head_seq, head_hash FROM audit_chainhead WHERE id = NEW.lane;
         IF head_seq IS NULL OR NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
           RAISE EXCEPTION 'audit_activitylog rows are appended after the head of their lane only';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_activitylog_append_at_head BEFORE INSERT ON audit_activitylog
       FOR EACH ROW EXECUTE FUNCTION audit_activitylog_append_at_head()""",
    f"""CREATE OR REPLACE FUNCTION audit_chainhead_advance_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'INSERT' AND NEW.seq = 0 AND NEW.hash = '{GENESIS_HASH}' THEN
           RETURN NEW;
         END IF;
         IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
             SELECT 1 FROM audit_activitylog
             WHERE lane = NEW.id AND seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash) THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit_chainhead only advances with the chain';
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_chainhead_advance_only BEFORE INSERT OR UPDATE OR DELETE ON audit_chainhead
       FOR EACH ROW EXECUTE FUNCTION audit_chainhead_advance_only()""",
    """CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_advance_only()""",
]


def _old_trigger_modules():
    from importlib import import_module

    return [
        import_module("tsunagari.audit.migrations.0002_chain_head_and_append_only"),
        import_module("tsunagari.audit.migrations.0003_keyed_chain_and_protected_head"),
    ]


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_OLD + ["audit_chainhead_starts_empty"]:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_OLD:
            schema_editor.execute(sql)


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(vendor, []):
        schema_editor.execute(sql)


def restore_old_triggers(apps, schema_editor):
    """Backwards: the triggers of 0002 and 0003 as they were."""
    drop_triggers(apps, schema_editor)
    old_2, old_3 = _old_trigger_modules()
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = old_2.SQLITE_TRIGGERS + old_3.SQLITE_NEW
    elif vendor == "postgresql":
        statements = [old_2.POSTGRES_TRIGGERS[1], *old_3.POSTGRES_NEW]
    else:
        statements = []
    for sql in statements:
        schema_editor.execute(sql)


def existing_chain_is_lane_0(apps, schema_editor):
    schema_editor.execute("UPDATE audit_chainhead SET id = 0 WHERE id = 1")
    schema_editor.execute("UPDATE audit_activitylog SET seq = id")
    if schema_editor.connection.vendor == "postgresql":
        # The new identity column starts at 1 whatever the table holds: continue after the old rows.
        schema_editor.execute(
            "SELECT setval(pg_get_serial_sequence('audit_activitylog', 'id'), COALESCE(MAX(id), 0) + 1, false)"
            " FROM audit_activitylog"
        )


def lane_0_is_the_chain(apps, schema_editor):
    ActivityLog = apps.get_model("audit", "ActivityLog")
    ChainHead = apps.get_model("audit", "ChainHead")
    if ActivityLog.objects.exclude(lane=0).exists():
        raise RuntimeError("The activity log has rows outside lane 0: it cannot go back to a single chain.")
    ChainHead.objects.exclude(pk=0).delete()
    schema_editor.execute("UPDATE audit_chainhead SET id = 1 WHERE id = 0")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain_and_protected_head")]

    operations = [
        migrations.RunPython(drop_triggers, restore_old_triggers),
        migrations.RemoveConstraint(model_name="chainhead", name="single_chain_head"),
        migrations.AlterField(
            model_name="chainhead", name="id", field=models.PositiveSmallIntegerField(primary_key=True, serialize=False)
        ),
        migrations.RenameField(model_name="activitylog", old_name="seq", new_name="id"),
        migrations.AlterField(
            model_name="activitylog", name="id", field=models.BigAutoField(primary_key=True, serialize=False)
        ),
        migrations.AddField(model_name="activitylog", name="lane", field=models.PositiveSmallIntegerField(default=0)),
        migrations.AddField(
            model_name="activitylog",
            name="seq",
            field=models.PositiveBigIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(existing_chain_is_lane_0, lane_0_is_the_chain),
        migrations.AlterModelOptions(
            name="activitylog",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "activity log entry",
                "verbose_name_plural": "activity log",
            },
        ),
        migrations.AddConstraint(
            model_name="activitylog",
            constraint=models.UniqueConstraint(fields=("lane", "seq"), name="audit_one_row_per_lane_seq"),
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
