from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_lanes(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from .services import ensure_lanes

    ensure_lanes()


class AuditConfig(AppConfig):
    name = "tsunagari.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # After every `migrate`, so that raising TSUNAGARI_AUDIT_LANES takes effect with the next one.
        post_migrate.connect(_ensure_lanes, sender=self)
