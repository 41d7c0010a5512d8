from django.urls import path

from . import public_views

urlpatterns = [
    path("about/", public_views.about, name="about"),
    path("about/join/", public_views.apply, name="membership_apply"),
    path("about/members/<slug:slug>/", public_views.organization_public, name="organization_public"),
]
