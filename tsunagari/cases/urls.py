from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_register, name="person_register"),
    path("<int:person_pk>/", views.person_detail, name="person_detail"),
]
