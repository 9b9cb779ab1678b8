# Turns become a tree: each turn has a parent, and versions of a turn share a depth (position).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def line_to_tree(apps, schema_editor):
    """Existing conversations become a single branch: each turn follows the one before it."""
    Conversation = apps.get_model("conversations", "Conversation")
    Turn = apps.get_model("conversations", "Turn")
    same_conversation = Turn.objects.filter(conversation=OuterRef("conversation"))
    # The nearest earlier position, not position - 1: an admin may have deleted turns between.
    before = same_conversation.filter(position__lt=OuterRef("position")).order_by("-position")
    Turn.objects.update(parent=Subquery(before.values("pk")[:1]))
    last = Turn.objects.filter(conversation=OuterRef("pk")).order_by("-position")
    Conversation.objects.update(active_leaf=Subquery(last.values("pk")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0006_search'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='turn',
            name='turn_unique_position',
        ),
        migrations.AddField(
            model_name='conversation',
            name='active_leaf',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='conversations.turn'),
        ),
        migrations.AddField(
            model_name='turn',
            name='parent',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.RESTRICT, related_name='children', to='conversations.turn'),
        ),
        migrations.AddIndex(
            model_name='turn',
            index=models.Index(fields=['conversation', 'position'], name='turn_conversation_position'),
        ),
        migrations.RunPython(line_to_tree, migrations.RunPython.noop, elidable=False),
    ]
