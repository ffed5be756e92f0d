from django.urls import path

from keyholder.registry import place_views as views

app_name = "places"
urlpatterns = [
    path("<str:code>/", views.detail, name="detail"),
]
