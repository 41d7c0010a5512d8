from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tsunagari.audit"
    label = "audit"
    verbose_name = "Audit log"
