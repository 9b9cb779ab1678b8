# Turns carry their conversation's owner, so the full-text index can be narrowed to one user.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from conversations.searchindex import (
    search_index_owner_install,
    search_index_owner_uninstall,
    search_index_repair,
)

FILL_OWNER = """
UPDATE conversations_turn SET owner_id = (
  SELECT owner_id FROM conversations_conversation c WHERE c.id = conversations_turn.conversation_id
)
"""


def fill_owner(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FILL_OWNER)
        if schema_editor.connection.vendor == "postgresql":
            # The foreign key is checked at commit: checked now, NOT NULL can be set below.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def repair(apps, schema_editor):
    # SQLite rebuilds the table for NOT NULL (and back), dropping its search triggers.
    search_index_repair(connection=schema_editor.connection)


def install(apps, schema_editor):
    # On SQLite this also rebuilds the index, and with it the triggers the rebuilds dropped.
    search_index_owner_install(connection=schema_editor.connection)


def uninstall(apps, schema_editor):
    search_index_owner_uninstall(connection=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("conversations", "0008_tools"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, repair, elidable=False),
        migrations.AddField(
            model_name="turn",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(fill_owner, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="turn",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="turn",
            index=models.Index(fields=["owner", "id"], name="turn_owner_id"),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
