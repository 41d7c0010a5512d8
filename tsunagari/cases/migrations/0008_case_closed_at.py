from django.db import migrations, models
from django.utils import timezone


def start_the_clock_for_cases_already_closed(apps, schema_editor):
    """Their closing date was not recorded: the retention period runs from today, never shorter."""
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(status="closed", closed_at__isnull=True).update(closed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_support_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="closed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(start_the_clock_for_cases_already_closed, migrations.RunPython.noop),
    ]
