from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "tsunagari.orgs"
    label = "orgs"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from tsunagari import lookups  # noqa: F401  (registers the guarded integer lookups)
