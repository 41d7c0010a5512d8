from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_register, name="person_register"),
    path("<int:person_pk>/", views.person_detail, name="person_detail"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:household_pk>/", views.household_detail, name="household_detail"),
    path("households/<int:household_pk>/members/", views.household_member_add, name="household_member_add"),
    path(
        "households/<int:household_pk>/members/<int:member_pk>/remove/",
        views.household_member_remove,
        name="household_member_remove",
    ),
]
