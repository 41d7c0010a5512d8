from django.urls import path

from . import views

app_name = "line"
urlpatterns = [
    path("webhook/", views.webhook, name="webhook"),
    path("settings/", views.line_settings, name="settings"),
]
