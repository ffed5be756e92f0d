"""The audit page: administrators search the whole audit log, officers the rows of their area.

Who sees which rows is ``accounts.audit_log.audit_rows_for``; anyone else gets 404 (the page's
existence is no secret, but it answers as a record outside one's area does). Newest first, a
page at a time by keyset (``before`` = the last id shown), with no count: the table is the
largest of the database. Reading the page is itself written to the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from keyholder.accounts.audit_log import AuditSearch, audit_rows_for, may_read_audit, search
from keyholder.accounts.models import AuditLog
from keyholder.accounts.services import audit_list
from keyholder.core.errors import ServiceError
from keyholder.core.pages import show_refusal

PAGE_SIZE = 50


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("Username"), max_length=150, required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditLog.Action.choices],
    )
    object_id = forms.CharField(label=_("Record id"), max_length=64, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def search(self) -> AuditSearch:
        data = self.cleaned_data
        return AuditSearch(
            user=data["user"],
            action=data["action"],
            object_id=data["object_id"],
            since=data["since"].isoformat() if data["since"] else "",
            until=data["until"].isoformat() if data["until"] else "",
        )


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not may_read_audit(request.user):
        raise Http404
    form = AuditSearchForm(request.GET or None)
    rows: list[AuditLog] = []
    older = newest = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        query = form.search() if form.is_bound else AuditSearch()
        try:
            found = search(audit_rows_for(request.user), query)
        except ServiceError as exc:
            show_refusal(form, exc)
            status = 400
        else:
            before = form.cleaned_data.get("before") if form.is_bound else None
            if before:
                found = found.filter(pk__lt=before)
                params = request.GET.copy()
                params.pop("before")
                newest = params.urlencode()
            rows = list(found.order_by("-pk")[: PAGE_SIZE + 1])
            if len(rows) > PAGE_SIZE:
                rows = rows[:PAGE_SIZE]
                params = request.GET.copy()
                params["before"] = str(rows[-1].pk)
                older = params.urlencode()
            audit_list(
                request.user, "audit_log", request.GET.dict(), [r.pk for r in rows], via="page"
            )
    context: dict[str, Any] = {
        "form": form,
        "rows": rows,
        "older": older,
        "newest": newest,
        "crumbs": [],
    }
    return render(request, "web/audit.html", context, status=status)
