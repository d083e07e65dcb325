from django.db import migrations, models


def copy_house_to_houses(apps, schema_editor):
    """A ketenmanager's one house becomes the first of their houses."""
    User = apps.get_model("registry", "User")
    for user in User.objects.exclude(house=None):
        user.houses.add(user.house_id)
    # Ketenmanagers act on the pages and through the API, not in the admin.
    User.objects.filter(kind="ketenmanager").update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("houses", "0007_two_sided_consent"),
        ("registry", "0003_change_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="houses",
            field=models.ManyToManyField(
                blank=True,
                help_text=(
                    "Voor ketenmanagers: de huizen waarvoor zij afwijkingen voorstellen en ermee "
                    "instemmen. Zonder huis leest een ketenmanager alleen."
                ),
                related_name="ketenmanagers",
                to="houses.house",
                verbose_name="veiligheidshuizen",
            ),
        ),
        migrations.RunPython(copy_house_to_houses, migrations.RunPython.noop),
        migrations.RemoveField(model_name="historicaluser", name="house"),
        migrations.RemoveField(model_name="user", name="house"),
    ]
