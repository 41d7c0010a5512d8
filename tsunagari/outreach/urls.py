from django.urls import path

from . import views

app_name = "outreach"
urlpatterns = [
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/<int:inquiry_pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("news/", views.news_admin, name="news_admin"),
    path("news/new/", views.news_edit, name="news_create"),
    path("news/<int:news_pk>/", views.news_edit, name="news_edit"),
]
