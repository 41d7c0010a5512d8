from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("certificate/<str:token>/", views.certificate, name="certificate"),
    path("join/<str:token>/", views.join, name="join"),
    path("supporter/<str:token>/", views.supporter, name="supporter"),
]

# The register of つながりサポーター, under /o/<org_slug>/supporters/.
staff_patterns = (
    [
        path("", views.register, name="list"),
        path("<int:supporter_pk>/", views.supporter_detail, name="detail"),
        path("<int:supporter_pk>/invite/", views.supporter_invite, name="invite"),
    ],
    "supporters",
)
