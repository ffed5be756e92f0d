from django.urls import path

from keyholder.registry import views

app_name = "registry"
urlpatterns = [
    path("households/<uuid:household_id>/", views.household, name="household"),
    path("households/<uuid:household_id>/members/", views.add_member, name="add_member"),
    path("persons/<uuid:person_id>/events/", views.record_event, name="record_event"),
    path("events/<uuid:event_id>/correct/", views.correct_event, name="correct_event"),
    path("events/<uuid:event_id>/remove/", views.remove_event, name="remove_event"),
    path("villages/<str:code>/households/new/", views.add_household, name="add_household"),
]
