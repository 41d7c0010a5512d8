from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tsunagari.cases"
    label = "cases"
    verbose_name = "Individual support"
