"""The incident log is append-only: no DELETE, and an UPDATE may only strike an entry
through once (set struck_at, struck_by and strike_reason), never change what it says."""

from django.db import migrations

_SAME = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in ("incident_id", "station_id", "at", "kind", "automatic", "author_id", "text", "before", "after")
)
_PG_SAME = _SAME.replace(" IS ", " IS NOT DISTINCT FROM ")

SQLITE_UP = [
    """CREATE TRIGGER intake_incidentlog_no_delete BEFORE DELETE ON intake_incidentlog
       BEGIN SELECT RAISE(ABORT, 'incident log is append-only'); END""",
    f"""CREATE TRIGGER intake_incidentlog_only_strike BEFORE UPDATE ON intake_incidentlog
       WHEN OLD.struck_at IS NOT NULL OR NEW.struck_at IS NULL OR NOT ({_SAME})
       BEGIN SELECT RAISE(ABORT, 'incident log is append-only: an entry may only be struck through once'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS intake_incidentlog_no_delete",
    "DROP TRIGGER IF EXISTS intake_incidentlog_only_strike",
]
POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION intake_incidentlog_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.struck_at IS NULL AND NEW.struck_at IS NOT NULL
            AND {_PG_SAME.replace('NEW.before IS NOT DISTINCT FROM OLD.before', 'NEW.before::text IS NOT DISTINCT FROM OLD.before::text').replace('NEW.after IS NOT DISTINCT FROM OLD.after', 'NEW.after::text IS NOT DISTINCT FROM OLD.after::text')} THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'incident log is append-only: an entry may only be struck through once';
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER intake_incidentlog_guard BEFORE UPDATE OR DELETE ON intake_incidentlog
       FOR EACH ROW EXECUTE FUNCTION intake_incidentlog_guard()""",
    """CREATE TRIGGER intake_incidentlog_no_truncate BEFORE TRUNCATE ON intake_incidentlog
       FOR EACH STATEMENT EXECUTE FUNCTION intake_incidentlog_guard()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS intake_incidentlog_guard ON intake_incidentlog",
    "DROP TRIGGER IF EXISTS intake_incidentlog_no_truncate ON intake_incidentlog",
    "DROP FUNCTION IF EXISTS intake_incidentlog_guard()",
]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
