"""Full-text search over titles and turns: FTS5 on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations

from conversations.searchindex import search_index_install, search_index_uninstall


def install(apps, schema_editor):
    search_index_install(connection=schema_editor.connection)


def uninstall(apps, schema_editor):
    search_index_uninstall(connection=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0005_attachments"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
