from django.apps import AppConfig


class ReachoutConfig(AppConfig):
    name = "tsunagari.reachout"
    verbose_name = "Reach out (residents' self-check and requests to be contacted)"
