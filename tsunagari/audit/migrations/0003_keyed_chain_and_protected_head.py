"""Key the hash chain (HMAC-SHA256 with TSUNAGARI_AUDIT_KEY) and protect the head like the log.

Existing rows were chained with plain SHA-256. If that chain is intact it is re-chained with the key
(same rows, new hashes); a chain that is already broken is left as it is, so verification keeps
reporting it instead of this migration laundering it.

New triggers: a row may only be inserted right after the head (seq = head + 1, linking to the head's
hash), and the head may only advance by one, to a row that exists and links to the old head. Nothing
deletes or truncates the head.
"""

import hashlib

from django.conf import settings
from django.db import migrations

from tsunagari.audit.chain import GENESIS_HASH, canonical_content, chain_hash

SQLITE_LOG_DROP = [
    "DROP TRIGGER IF EXISTS audit_activitylog_no_update",
    "DROP TRIGGER IF EXISTS audit_activitylog_no_delete",
]
SQLITE_LOG = [
    """CREATE TRIGGER audit_activitylog_no_update BEFORE UPDATE ON audit_activitylog
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog is append-only'); END""",
    """CREATE TRIGGER audit_activitylog_no_delete BEFORE DELETE ON audit_activitylog
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog is append-only'); END""",
]
SQLITE_NEW = [
    """CREATE TRIGGER audit_activitylog_append_at_head BEFORE INSERT ON audit_activitylog
       WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_chainhead WHERE id = 1)
         OR NEW.prev_hash IS NOT (SELECT hash FROM audit_chainhead WHERE id = 1)
       BEGIN SELECT RAISE(ABORT, 'audit_activitylog rows are appended after the head only'); END""",
    """CREATE TRIGGER audit_chainhead_advance_only BEFORE UPDATE ON audit_chainhead
       WHEN NOT (NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
         SELECT 1 FROM audit_activitylog WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash))
       BEGIN SELECT RAISE(ABORT, 'audit_chainhead only advances with the chain'); END""",
    """CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
       BEGIN SELECT RAISE(ABORT, 'audit_chainhead only advances with the chain'); END""",
]
SQLITE_NEW_DROP = [
    "DROP TRIGGER IF EXISTS audit_activitylog_append_at_head",
    "DROP TRIGGER IF EXISTS audit_chainhead_advance_only",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_delete",
]

POSTGRES_NEW = [
    """CREATE OR REPLACE FUNCTION audit_activitylog_append_at_head() RETURNS trigger AS $$
       DECLARE head_seq bigint; head_hash varchar;
       BEGIN
         SELECT seq, hash INTO head_seq, head_hash FROM audit_chainhead WHERE id = 1;
         IF head_seq IS NULL OR NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
           RAISE EXCEPTION 'audit_activitylog rows are appended after the head only';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_activitylog_append_at_head BEFORE INSERT ON audit_activitylog
       FOR EACH ROW EXECUTE FUNCTION audit_activitylog_append_at_head()""",
    """CREATE OR REPLACE FUNCTION audit_chainhead_advance_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
             SELECT 1 FROM audit_activitylog WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash) THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit_chainhead only advances with the chain';
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_chainhead_advance_only BEFORE UPDATE OR DELETE ON audit_chainhead
       FOR EACH ROW EXECUTE FUNCTION audit_chainhead_advance_only()""",
    """CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_chainhead_advance_only()""",
]
POSTGRES_NEW_DROP = [
    "DROP TRIGGER IF EXISTS audit_activitylog_append_at_head ON audit_activitylog",
    "DROP TRIGGER IF EXISTS audit_chainhead_advance_only ON audit_chainhead",
    "DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead",
    "DROP FUNCTION IF EXISTS audit_activitylog_append_at_head()",
    "DROP FUNCTION IF EXISTS audit_chainhead_advance_only()",
]


def _content(row) -> bytes:
    return canonical_content(
        seq=row.seq,
        created_at=row.created_at,
        actor_id=row.actor_id,
        organization_id=row.organization_id,
        action=row.action,
        object_type=row.object_type,
        object_id=row.object_id,
        legal_basis=row.legal_basis,
        data=row.data,
        ip_address=row.ip_address,
    )


def _sha256_chain_intact(rows, head) -> bool:
    prev = GENESIS_HASH
    for expected, row in enumerate(rows, start=1):
        try:
            content = _content(row)
        except ValueError:
            return False
        if row.seq != expected or row.prev_hash != prev:
            return False
        if hashlib.sha256(prev.encode("ascii") + b"\n" + content).hexdigest() != row.hash:
            return False
        prev = row.hash
    return head.seq == len(rows) and head.hash == prev


def key_the_chain(apps, schema_editor):
    ActivityLog = apps.get_model("audit", "ActivityLog")
    ChainHead = apps.get_model("audit", "ChainHead")
    head = ChainHead.objects.get(pk=1)
    rows = list(ActivityLog.objects.order_by("seq"))
    if not rows or not _sha256_chain_intact(rows, head):
        return
    connection = schema_editor.connection
    key = settings.TSUNAGARI_AUDIT_KEY.encode()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_LOG_DROP:
                cursor.execute(sql)
        else:
            cursor.execute("ALTER TABLE audit_activitylog DISABLE TRIGGER audit_activitylog_no_change")
        # Hashes are unique: move them out of the way first, then write the keyed ones.
        cursor.execute("UPDATE audit_activitylog SET hash = 'x' || seq, prev_hash = ''")
        prev = GENESIS_HASH
        for row in rows:
            digest = chain_hash(prev, _content(row), key=key)
            cursor.execute(
                "UPDATE audit_activitylog SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, row.seq]
            )
            prev = digest
        cursor.execute("UPDATE audit_chainhead SET hash = %s WHERE id = 1", [prev])
        if connection.vendor == "sqlite":
            for sql in SQLITE_LOG:
                cursor.execute(sql)
        else:
            cursor.execute("ALTER TABLE audit_activitylog ENABLE TRIGGER audit_activitylog_no_change")


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_NEW, "postgresql": POSTGRES_NEW}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_NEW_DROP, "postgresql": POSTGRES_NEW_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_and_append_only")]

    operations = [
        migrations.RunPython(key_the_chain, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
