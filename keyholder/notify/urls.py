from django.urls import path

from keyholder.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("test/", views.send_test, name="send_test"),
]
