"""The full-text index over Service.search_terms: FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE = "CREATE VIRTUAL TABLE directory_service_fts USING fts5(service_id UNINDEXED, terms)"
SQLITE_FILL = "INSERT INTO directory_service_fts (service_id, terms) SELECT id, search_terms FROM directory_service"
SQLITE_DROP = "DROP TABLE IF EXISTS directory_service_fts"
POSTGRES = (
    "CREATE INDEX directory_service_terms_gin ON directory_service "
    "USING GIN (to_tsvector('simple'::regconfig, search_terms))"
)
POSTGRES_DROP = "DROP INDEX IF EXISTS directory_service_terms_gin"


def forwards(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)
    if schema_editor.connection.vendor == "sqlite":  # services indexed before this migration
        schema_editor.execute(SQLITE_FILL)


def backwards(apps, schema_editor):
    sql = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_default_taxonomy")]
    operations = [migrations.RunPython(forwards, backwards)]
