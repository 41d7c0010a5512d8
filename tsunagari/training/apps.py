from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "tsunagari.training"
    label = "training"
    verbose_name = "Tsunagari supporter training"
