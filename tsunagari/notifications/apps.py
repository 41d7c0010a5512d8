from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tsunagari.notifications"
    label = "notifications"
    verbose_name = "Notifications"
