"""The upload page: send a registry file, see its dry run row by row, apply it, watch it run.

Only administrators, officers and enumerators upload; an upload is seen by its uploader only
(anyone else gets 404). Every row is checked against the uploader's area by the services, as
in ``keyholder import --as``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from keyholder.accounts.models import User
from keyholder.core.errors import ServiceError
from keyholder.core.pages import or_404, show_refusal
from keyholder.registry import uploads
from keyholder.registry.forms import UploadForm
from keyholder.registry.importing import RECORDS
from keyholder.registry.models import ImportJob

# Rows of the plan shown per page: a long file pages rather than scrolls for ever on a phone.
LINES_PER_PAGE = 50
RUNNING = (ImportJob.Status.CHECKING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
RECORD_LABELS = {
    "house": _("Houses"),
    "household": _("Households"),
    "person": _("Persons"),
    "event": _("Events"),
}
# What one row of the file is, in the row-by-row list.
RECORD_KINDS = {
    "house": pgettext_lazy("a row of an uploaded file", "house"),
    "household": pgettext_lazy("a row of an uploaded file", "household"),
    "person": pgettext_lazy("a row of an uploaded file", "person"),
    "event": pgettext_lazy("a row of an uploaded file", "event"),
}
OUTCOME_LABELS = {
    "create": _("New"),
    "exists": _("Already in the registry"),
    "refused": _("Refused"),
}


def _uploader(request: HttpRequest) -> User:
    if not uploads.can_upload(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)
    return request.user


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user = _uploader(request)
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = uploads.do_check_upload(actor=user, upload=form.cleaned_data["file"])
            except ServiceError as exc:
                show_refusal(form, exc, fields={"": "file"})
            else:
                return redirect("registry:upload_job", job_id=job.pk)
        status = 400
    else:
        form = UploadForm()
    jobs = uploads.jobs_of(user)[:10]
    return render(request, "registry/upload.html", {"form": form, "jobs": jobs}, status=status)


def _lines(summary: dict, number: str | None) -> Any:
    page = Paginator(summary.get("lines", []), LINES_PER_PAGE).get_page(number)
    for line in page.object_list:
        line["outcome_label"] = OUTCOME_LABELS.get(line["outcome"], line["outcome"])
        line["record_label"] = RECORD_KINDS.get(line.get("record", ""), line.get("record", ""))
    return page


def _counts(summary: dict) -> list[dict]:
    return [
        {
            "record": record,
            "label": RECORD_LABELS[record],
            "created": summary.get("created", {}).get(record, 0),
            "existing": summary.get("existing", {}).get(record, 0),
        }
        for record in RECORDS
    ]


@login_required
def upload_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    user = _uploader(request)
    job = or_404(uploads.get_job, user, job_id)
    # After the apply the page shows what happened; before it, what would.
    summary = (
        job.result if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED) else job.plan
    )
    page = _lines(summary, request.GET.get("page"))
    context = {
        "job": job,
        "summary": summary,
        "counts": _counts(summary),
        "page": page,
        "running": job.status in RUNNING,
        "done": uploads.rows_done(job),
        "applied": job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED),
    }
    return render(request, "registry/upload_job.html", context)


@login_required
@require_POST
def apply_job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    user = _uploader(request)
    job = or_404(uploads.get_job, user, job_id)
    try:
        uploads.do_apply_upload(actor=user, job=job)
    except ServiceError as exc:
        context = {
            "job": job,
            "summary": job.plan,
            "counts": _counts(job.plan),
            "page": _lines(job.plan, None),
            "error": exc,
        }
        return render(request, "registry/upload_job.html", context, status=exc.status)
    return redirect("registry:upload_job", job_id=job.pk)


@login_required
def job_status(request: HttpRequest, job_id: uuid.UUID) -> JsonResponse:
    """The progress of an upload, for a script that would rather poll than reload the page."""
    user = _uploader(request)
    job = or_404(uploads.get_job, user, job_id)
    return JsonResponse(
        {
            "status": job.status,
            "rows_done": uploads.rows_done(job),
            "rows_total": job.rows_total,
        }
    )
