from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "tsunagari.outreach"
    verbose_name = "Outreach (news and inquiries to the secretariat)"
