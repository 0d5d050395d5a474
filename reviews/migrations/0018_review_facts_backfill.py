"""Store every review's facts (previous_held_on, pre_review_visit) for the rows already held.

The definition is reviews.facts's, copied here as migrations do not import application code:
the previous held review of the same period of care, and a visit to the child on or before the
held date, on or after the period's first day and after the previous held review. Reviews not
held keep the new columns' defaults (no previous review, no visit), as the definition gives.
One UPDATE on PostgreSQL; SQLite (`make run`) goes row by row.
"""

from datetime import date

from django.db import migrations

BACKFILL = """
WITH facts AS (
    SELECT review.id,
           review.child_id,
           review.held_on,
           period.start,
           (SELECT earlier.held_on
              FROM reviews_review earlier
             WHERE earlier.period_of_care_id = review.period_of_care_id
               AND earlier.status = 'held'
               AND earlier.held_on < review.held_on
             ORDER BY earlier.held_on DESC
             LIMIT 1) AS previous_held_on
      FROM reviews_review review
      JOIN children_periodofcare period ON period.id = review.period_of_care_id
     WHERE review.held_on IS NOT NULL
)
UPDATE reviews_review
   SET previous_held_on = facts.previous_held_on,
       pre_review_visit = EXISTS (
           SELECT 1
             FROM reviews_visit visit
            WHERE visit.child_id = facts.child_id
              AND visit.visited_on <= facts.held_on
              AND visit.visited_on >= facts.start
              AND visit.visited_on > COALESCE(facts.previous_held_on, DATE '0001-01-01')
       )
  FROM facts
 WHERE reviews_review.id = facts.id
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL)
        return
    Review = apps.get_model("reviews", "Review")
    Visit = apps.get_model("reviews", "Visit")
    held = {}
    for period_id, held_on in Review.objects.filter(status="held").values_list("period_of_care_id", "held_on"):
        held.setdefault(period_id, []).append(held_on)
    visits = {}
    for child_id, visited_on in Visit.objects.values_list("child_id", "visited_on"):
        visits.setdefault(child_id, []).append(visited_on)
    for review in Review.objects.filter(held_on__isnull=False).select_related("period_of_care"):
        earlier = [day for day in held.get(review.period_of_care_id, []) if day is not None and day < review.held_on]
        previous = max(earlier, default=None)
        after = previous or date.min
        visited = any(
            after < day <= review.held_on and day >= review.period_of_care.start
            for day in visits.get(review.child_id, [])
        )
        Review.objects.filter(pk=review.pk).update(previous_held_on=previous, pre_review_visit=visited)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0017_review_facts"), ("children", "0008_allocation_reason")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
