"""Variations agreed before two-sided consent existed keep their status and say so."""

from django.db import migrations


def mark_earlier_agreements(apps, schema_editor):
    """Variations agreed (or ended) before two-sided consent keep their status and say so;
    earlier proposals were recorded by eenheid or national staff: the eenheid's side."""
    Variation = apps.get_model("houses", "Variation")
    Variation.objects.filter(status__in=["agreed", "ended"]).update(agreed_before_consent=True)
    for variation in Variation.objects.filter(status="proposed", proposed_side=""):
        variation.proposed_side = "unit"
        variation.proposed_by_id = variation.recorded_by_id
        variation.proposed_at = variation.created_at
        variation.save(update_fields=["proposed_side", "proposed_by", "proposed_at"])


class Migration(migrations.Migration):
    dependencies = [("houses", "0007_two_sided_consent")]

    operations = [
        migrations.RunPython(mark_earlier_agreements, migrations.RunPython.noop),
    ]
