from django.urls import path

from .views import staff

app_name = "directory_staff"
urlpatterns = [
    path("", staff.service_list, name="service_list"),
    path("new/", staff.service_new, name="service_new"),
    path("services/<uuid:service_id>/edit/", staff.service_edit, name="service_edit"),
    path("services/<uuid:service_id>/availability/", staff.service_availability, name="service_availability"),
    path("services/<uuid:service_id>/confirm/", staff.service_confirm, name="service_confirm"),
    path("stale/", staff.stale_list, name="stale_list"),
    path("export.<str:fmt>", staff.export, name="export"),
    path("navigator/", staff.staff_navigator, name="navigator"),
    path("categories/", staff.category_list, name="category_list"),
    path("categories/<slug:code>/", staff.category_edit, name="category_edit"),
]
