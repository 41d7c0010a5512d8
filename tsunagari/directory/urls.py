from django.urls import path

from .views import public

app_name = "directory"
urlpatterns = [
    path("navi/", public.navigator, name="navigator"),
    path("navi/sources/", public.hotline_sources, name="hotline_sources"),
    path("directory/", public.directory_search, name="search"),
    path("directory/services/<uuid:service_id>/", public.service_detail, name="service_detail"),
]
