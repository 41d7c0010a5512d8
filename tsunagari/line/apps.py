from django.apps import AppConfig


class LineConfig(AppConfig):
    name = "tsunagari.line"
    label = "line"
    verbose_name = "LINE"
