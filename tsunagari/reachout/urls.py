from django.urls import path

from . import views

app_name = "reachout_staff"
urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("<int:request_pk>/", views.request_detail, name="request_detail"),
    path("<int:request_pk>/assign/", views.request_assign, name="request_assign"),
    path("<int:request_pk>/open-case/", views.request_open_case, name="request_open_case"),
    path("<int:request_pk>/contacted/", views.request_contacted, name="request_contacted"),
]
