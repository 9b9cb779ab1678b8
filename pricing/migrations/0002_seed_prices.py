from decimal import Decimal

from django.db import migrations

# OpenAI's list prices per 1M tokens (input, cached input, output) when this was written;
# staff keep them current in the admin. The bundled local model costs nothing.
PRICES = {
    "gpt-5": ("1.25", "0.125", "10"),
    "gpt-5-mini": ("0.25", "0.025", "2"),
    "gpt-5-nano": ("0.05", "0.005", "0.4"),
    "gpt-4.1": ("2", "0.5", "8"),
    "gpt-4.1-mini": ("0.4", "0.1", "1.6"),
    "gpt-4.1-nano": ("0.1", "0.025", "0.4"),
    "gpt-4o": ("2.5", "1.25", "10"),
    "gpt-4o-mini": ("0.15", "0.075", "0.6"),
    "o3": ("2", "0.5", "8"),
    "o4-mini": ("1.1", "0.275", "4.4"),
    "smollm2-135m-instruct": ("0", "0", "0"),
}


def seed(apps, schema_editor):
    ModelPrice = apps.get_model("pricing", "ModelPrice")
    for model, (fresh, cached, output) in PRICES.items():
        ModelPrice.objects.get_or_create(
            model=model,
            defaults={
                "input_per_million": Decimal(fresh),
                "cached_input_per_million": Decimal(cached),
                "output_per_million": Decimal(output),
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("pricing", "ModelPrice").objects.filter(model__in=PRICES).delete()


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
