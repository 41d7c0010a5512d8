from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "tsunagari.watch"
    label = "watch"
    verbose_name = "Watching over and greeting"
