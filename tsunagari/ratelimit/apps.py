from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    name = "tsunagari.ratelimit"
    label = "ratelimit"
    verbose_name = "Rate limits"
