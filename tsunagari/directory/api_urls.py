"""Read-only HSDS 3.0 API (see tsunagari/directory/api.py)."""

from django.urls import path  # noqa: F401

app_name = "hsds_api"
urlpatterns: list = []
