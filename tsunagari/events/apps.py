from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "tsunagari.events"
    label = "events"
    verbose_name = "Public events"
