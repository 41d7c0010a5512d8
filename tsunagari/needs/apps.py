from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "tsunagari.needs"
    label = "needs"
    verbose_name = "Shared needs and gaps"
