"""Signing in with throttling, and changing or resetting a password.

Sign-in is Django's view with the throttle of ``keyholder.accounts.throttle`` in front and
audit rows after. Change and reset are Django's views too; the forms save through
``accounts.services.do_set_password``, which runs the validators and revokes API tokens.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from keyholder.accounts import services, throttle
from keyholder.accounts.models import AuditLog, User
from keyholder.core.errors import ServiceError


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))
        try:
            # Before the password is checked: a locked-out guess costs no hashing.
            throttle.check(username, throttle.address(request))
        except ServiceError as exc:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, exc.message)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(exc.params["retry_after"])
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: auth_forms.AuthenticationForm) -> HttpResponse:
        username = str(self.request.POST.get("username", ""))
        if username:
            services.record_failed_sign_in(username, throttle.address(self.request), "session")
        return super().form_invalid(form)

    def form_valid(self, form: auth_forms.AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        throttle.succeeded(user.get_username())
        response = super().form_valid(form)
        services.audit(
            user,
            AuditLog.Action.SIGN_IN,
            "session",
            user.pk,
            address=throttle.address(self.request),
        )
        return response


class ChangePasswordForm(auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        return services.do_set_password(
            actor=self.user,
            user=self.user,
            password=self.cleaned_data["new_password1"],
            how="changed",
        )


class NewPasswordForm(auth_forms.SetPasswordForm):
    """The form of a reset link (from the email or from an administrator)."""

    def save(self, commit: bool = True) -> Any:
        return services.do_set_password(
            actor=None, user=self.user, password=self.cleaned_data["new_password1"], how="reset"
        )


class ResetByEmailForm(auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # In the language of the account, not of whoever asked for the link.
        user: User = context["user"]
        with translation.override(user.language or settings.LANGUAGE_CODE):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


_FORM = "web/password_form.html"
_DONE = "web/password_done.html"

change = auth_views.PasswordChangeView.as_view(
    form_class=ChangePasswordForm, template_name=_FORM, success_url="/password/changed/"
)
changed = auth_views.PasswordChangeDoneView.as_view(
    template_name=_DONE, extra_context={"done": "changed"}
)
reset = auth_views.PasswordResetView.as_view(
    form_class=ResetByEmailForm,
    template_name=_FORM,
    email_template_name="web/password_reset_email.txt",
    subject_template_name="web/password_reset_subject.txt",
    extra_email_context={"site_url": settings.SITE_URL.rstrip("/")},
    success_url="/password/reset/sent/",
    extra_context={"reset": True},
)
reset_sent = auth_views.PasswordResetDoneView.as_view(
    template_name=_DONE, extra_context={"done": "sent"}
)
reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=NewPasswordForm,
    template_name=_FORM,
    success_url="/password/reset/done/",
    extra_context={"confirm": True},
)
reset_done = auth_views.PasswordResetCompleteView.as_view(
    template_name=_DONE, extra_context={"done": "reset"}
)
