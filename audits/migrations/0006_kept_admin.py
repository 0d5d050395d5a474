"""PostgreSQL refuses DELETE on every other part of a child's record (issue #13), as it already
does for children, periods of care, reviews and documents (children 0004, reviews 0004).

One migration here, at the top of the house (audits depends on children and reviews), for the
tables of all three apps. Decisions and reports received are left out: the review record form
removes a decision from a draft, and preparing a review replaces the list of reports received;
the application and its admin still never delete any other row.
"""

from django.db import migrations

from children.records import allow_deletes, refuse_deletes

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
