# The change counter moves here from the roles app (see roles' migration 0003): the model is
# taken over as it is, then its table gets this app's name.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0002_api_token"),
        ("roles", "0003_change_counter_to_registry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChangeCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "value",
                            models.PositiveBigIntegerField(
                                default=0, verbose_name="aantal wijzigingen"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "wijzigingsteller",
                        "verbose_name_plural": "wijzigingstellers",
                        "db_table": "roles_changecounter",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="ChangeCounter", table=None),
    ]
