from django.urls import path

from keyholder.registry import upload_views, views

app_name = "registry"
urlpatterns = [
    path("households/<uuid:household_id>/", views.household, name="household"),
    path("households/<uuid:household_id>/members/", views.add_member, name="add_member"),
    path("persons/<uuid:person_id>/events/", views.record_event, name="record_event"),
    path("events/<uuid:event_id>/correct/", views.correct_event, name="correct_event"),
    path("events/<uuid:event_id>/remove/", views.remove_event, name="remove_event"),
    path("villages/<str:code>/households/new/", views.add_household, name="add_household"),
    path("upload/", upload_views.upload, name="upload"),
    path("upload/<uuid:job_id>/", upload_views.upload_job, name="upload_job"),
    path("upload/<uuid:job_id>/apply/", upload_views.apply_job, name="apply_upload"),
    path("upload/<uuid:job_id>/status/", upload_views.job_status, name="upload_status"),
]
