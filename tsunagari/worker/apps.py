from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "tsunagari.worker"
    label = "worker"
    verbose_name = "Background work"
