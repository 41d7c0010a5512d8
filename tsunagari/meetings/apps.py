from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tsunagari.meetings"
    verbose_name = "Meetings"
