from django.urls import path

from . import views

app_name = "reachout"
urlpatterns = [
    path("check/", views.self_check, name="check"),
    path("soudan/", views.contact, name="contact"),
    path("soudan/status/", views.status, name="status"),
]
