from django.db import migrations, models


def fill_distances(apps, schema_editor):
    """Band every existing episode's distance (the import and the demo set it from now on).

    The distances come from the ONS postcode table (`manage.py load_postcodes`), which a fresh
    database does not have yet: with no episode to fill (every new installation, and the test
    database) the table is never read. An older database with episodes must load the postcodes
    before migrating; children.postcodes.PostcodesNotLoaded says so."""
    from children.postcodes import distances_in_miles

    Episode = apps.get_model("children", "Episode")
    episodes = Episode.objects.exclude(placement_postcode="").only("home_postcode", "placement_postcode")
    if not episodes.exists():
        return
    batch = []
    for episode in episodes.iterator(chunk_size=5000):
        batch.append(episode)
        if len(batch) == 5000:
            _fill(Episode, batch, distances_in_miles)
            batch = []
    _fill(Episode, batch, distances_in_miles)


def _fill(Episode, batch, distances_in_miles):
    distances = distances_in_miles((episode.home_postcode, episode.placement_postcode) for episode in batch)
    for episode in batch:
        episode.placement_distance_miles = distances[episode.home_postcode, episode.placement_postcode]
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
