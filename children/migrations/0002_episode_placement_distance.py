from django.db import migrations, models


def fill_distances(apps, schema_editor):
    """Band every existing episode's distance (the import and the demo set it from now on)."""
    from children.postcodes import distance_in_miles

    Episode = apps.get_model("children", "Episode")
    batch = []
    for episode in Episode.objects.exclude(placement_postcode="").only("home_postcode", "placement_postcode").iterator(
        chunk_size=5000
    ):
        episode.placement_distance_miles = distance_in_miles(episode.home_postcode, episode.placement_postcode)
        batch.append(episode)
        if len(batch) == 5000:
            Episode.objects.bulk_update(batch, ["placement_distance_miles"])
            batch = []
    Episode.objects.bulk_update(batch, ["placement_distance_miles"])


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="episode",
            name="placement_distance_miles",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="distance from home to placement (whole miles)"
            ),
        ),
        migrations.RunPython(fill_distances, migrations.RunPython.noop),
    ]
