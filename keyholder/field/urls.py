from django.urls import path

from keyholder.field import views

app_name = "field"
urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.worker, name="worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
