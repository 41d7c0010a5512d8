from django.db import migrations


def install(apps, schema_editor):
    from tsunagari.directory.taxonomy import install_default_taxonomy

    install_default_taxonomy(apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
