from django.urls import path

from keyholder.keeping import invite_views, views

app_name = "keeping"
urlpatterns = [
    path("", views.index, name="index"),
    path("today/", views.today, name="today"),
    path("arrears/", views.arrears, name="arrears"),
    path("summary/", views.summary, name="summary"),
    path("mine/", views.mine, name="mine"),
    path("water/", views.water, name="water"),
    path("entrust/", views.entrust, name="entrust"),
    path("calendar/", views.calendar_link, name="calendar_link"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("houses/<uuid:agreement_id>/", views.house, name="house"),
    path("houses/<uuid:agreement_id>/visit/", views.visit_new, name="visit_new"),
    path("houses/<uuid:agreement_id>/incident/", views.incident_new, name="incident_new"),
    path("houses/<uuid:agreement_id>/ask-visit/", views.ask_visit, name="ask_visit"),
    path("incidents/<uuid:incident_id>/resolve/", views.incident_resolve, name="incident_resolve"),
    path("pending/<uuid:photo_id>.jpg", views.pending_photo, name="pending_photo"),
    path("houses/<uuid:agreement_id>/ledger/", views.ledger, name="ledger"),
    path("houses/<uuid:agreement_id>/invite/", invite_views.invite_owner, name="invite_owner"),
    path("invites/<str:token>/", invite_views.invite_accept, name="invite_accept"),
    path("houses/<uuid:agreement_id>/reports/", views.reports, name="reports"),
    path(
        "houses/<uuid:agreement_id>/reports/<str:month>/",
        views.owner_report,
        name="owner_report",
    ),
    path(
        "houses/<uuid:agreement_id>/reports/<str:month>.pdf",
        views.owner_report_pdf,
        name="owner_report_pdf",
    ),
    path("visits/<uuid:visit_id>/", views.visit, name="visit"),
    path("photos/<uuid:photo_id>.jpg", views.photo, name="photo"),
]
