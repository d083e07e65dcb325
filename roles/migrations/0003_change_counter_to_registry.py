# The change counter belongs to the project's shared kernel (registry.lib.cache): its model
# moves to the registry app. Only Django's state changes here; the table is renamed by
# registry's migration 0003.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("roles", "0002_change_counter"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ChangeCounter")],
            database_operations=[],
        ),
    ]
