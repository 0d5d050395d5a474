"""PostgreSQL refuses DELETE on every other part of a child's record (issue #13), as it already
does for children, periods of care, reviews and documents (children 0004, reviews 0004).

One migration here, at the top of the house (audits depends on children and reviews), for the
tables of all three apps. Decisions and reports received are left out: the review record form
removes a decision from a draft, and preparing a review replaces the list of reports received;
the application and its admin still never delete any other row.
"""

from django.db import migrations


# Frozen here, as this migration first made them (migrations import no application code): a
# trigger refusing DELETE on each table, on PostgreSQL.
REFUSE_DELETE_SQL = """
CREATE OR REPLACE FUNCTION records_are_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'records of a looked-after child are kept: archive instead of deleting (%)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def refuse_deletes(*tables):
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(REFUSE_DELETE_SQL, params=None)
        for table in tables:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_kept BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION records_are_kept()",
                params=None,
            )

    return forward


def allow_deletes(*tables):
    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_kept ON {table}", params=None)

    return backward


KEPT_TABLES = (
    "children_episode",
    "children_allocation",
    "children_historicalchild",
    "children_historicalperiodofcare",
    "children_historicalepisode",
    "reviews_booking",
    "reviews_invitee",
    "reviews_visit",
    "reviews_distribution",
    "reviews_historicalreview",
    "reviews_historicaldecision",
    "reviews_historicaldocument",
    "audits_monitoringform",
    "audits_escalation",
    "audits_escalationstagechange",
    "audits_midwayreview",
    "audits_participantfeedback",
    "audits_disruptionmeeting",
)


class Migration(migrations.Migration):

    dependencies = [
        ("audits", "0005_disruptionmeeting_participantfeedback"),
        ("children", "0004_kept_records"),
        ("reviews", "0005_review_version"),
    ]

    operations = [
        migrations.RunPython(refuse_deletes(*KEPT_TABLES), allow_deletes(*KEPT_TABLES)),
    ]
