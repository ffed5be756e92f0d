from django.urls import path

from keyholder.migrant import views

app_name = "migrant"
urlpatterns = [
    path("", views.home, name="home"),
    path("rules/", views.rules_page, name="rules"),
    path("join/", views.join, name="join"),
    path("start/", views.start, name="start"),
    path("record/", views.record, name="record"),
    path("record/trips/<uuid:trip_id>/exit/", views.set_exit, name="set_exit"),
    path("record/<str:kind>/<uuid:item_id>/delete/", views.delete_item, name="delete_item"),
    path("settings/", views.settings_page, name="settings"),
    path("export.json", views.export, name="export"),
    path("delete/", views.delete_all, name="delete_all"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
