from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "tsunagari.directory"
    label = "directory"
    verbose_name = "Directory"
