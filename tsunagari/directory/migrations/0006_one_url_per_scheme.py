"""National schemes imported before schemes._first_url kept a cell listing two pages as their address;
keep the first valid one, as an import does now."""

from django.db import migrations


def keep_first_url(apps, schema_editor):
    from tsunagari.directory.schemes import _first_url

    Service = apps.get_model("directory", "Service")
    for service in Service.objects.filter(source="national", url__regex=r"\s"):
        service.url = _first_url(service.url)
        service.save(update_fields=["url"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_stale_reminder")]
    operations = [migrations.RunPython(keep_first_url, migrations.RunPython.noop)]
