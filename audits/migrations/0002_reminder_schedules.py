"""Beat's default schedules, stored in the database (django-celery-beat) and editable in the
admin: the reminders sweep every 15 minutes and the daily digest at 07:00 Europe/London."""

from django.db import migrations

SWEEP = "Deadline reminders sweep"
DIGEST = "Daily reminders digest"


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_15_minutes, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    seven_am, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="7", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name=SWEEP, defaults={"task": "audits.tasks.sweep_reminders", "interval": every_15_minutes}
    )
    PeriodicTask.objects.get_or_create(
        name=DIGEST, defaults={"task": "accounts.tasks.send_daily_digest", "crontab": seven_am}
    )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[SWEEP, DIGEST]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
