from django.urls import path

from keyholder.places import views

app_name = "places"
urlpatterns = [
    path("<str:code>/", views.detail, name="detail"),
]
