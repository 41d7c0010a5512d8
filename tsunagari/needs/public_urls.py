from django.urls import path

from . import snapshot_views

urlpatterns = [
    path("picture/", snapshot_views.picture, name="public_picture"),
    path("picture/suicide-statistics.csv", snapshot_views.suicide_csv, name="public_suicide_csv"),
    path("picture/snapshots/<int:pk>.csv", snapshot_views.snapshot_csv, name="public_snapshot_csv"),
]
