from django.contrib.auth import views as auth_views
from django.urls import path

from keyholder.web import audit_views, password_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", password_views.SignInView.as_view(), name="login"),
    path("password/", password_views.change, name="password_change"),
    path("password/changed/", password_views.changed, name="password_changed"),
    path("password/reset/", password_views.reset, name="password_reset"),
    path("password/reset/sent/", password_views.reset_sent, name="password_reset_sent"),
    path(
        "password/reset/<uidb64>/<token>/",
        password_views.reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", password_views.reset_done, name="password_reset_done"),
    path("signout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", audit_views.audit, name="audit"),
]
