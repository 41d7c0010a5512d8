from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tsunagari.orgs"
    label = "orgs"
    verbose_name = "Organisations"
