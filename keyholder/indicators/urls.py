from django.urls import path

from keyholder.indicators import views

app_name = "indicators"
urlpatterns = [
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/export/", views.export, name="export"),
    path("<str:code>/official/", views.official_figure, name="official_figure"),
]
