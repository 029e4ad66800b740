"""The hash chain's columns (kuntadigi/audit/chain.py).

On SQLite, adding a column rebuilds the table, which drops its triggers: the append-only triggers of
0002 are created again at once. (Any later migration that changes this table on SQLite must do the same.)
"""

import importlib

from django.db import migrations, models


def sqlite_triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("kuntadigi.audit.migrations.0002_append_only_triggers")
    for statement in (*triggers.SQLITE_DOWN, *triggers.SQLITE_UP):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(sqlite_triggers_again, sqlite_triggers_again),
    ]
