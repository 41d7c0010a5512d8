from django.urls import path

from . import views

app_name = "watch"
urlpatterns = [
    path("", views.home, name="home"),
    path("people/new/", views.target_new, name="target_new"),
    path("people/<int:target_pk>/", views.target_detail, name="target_detail"),
    path("people/<int:target_pk>/contact/", views.contact, name="contact"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("sos/new/", views.sos_new, name="sos_new"),
    path("sos/mine/", views.sos_mine, name="sos_mine"),
    path("sos/", views.sos_queue, name="sos_queue"),
    path("sos/<int:sos_pk>/", views.sos_detail, name="sos_detail"),
    path("overview/", views.overview, name="overview"),
]
