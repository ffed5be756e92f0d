"""Registry files uploaded on a page: read at once, then checked and applied by background jobs.

The same path as ``keyholder import`` (keyholder/registry/importing.py): reading → normalised
rows → plan → apply. The request only reads the file (so an unreadable file is answered at
once, on the form); the dry run and the apply are jobs (``registry.tasks``), since a district's
file of 26,000 rows takes longer than a web request may. The dry run is the import itself
rolled back, so its plan (per row: create, exists, or refused with code, column and message)
is what the apply will do as long as the registry does not change in between; the apply runs
the same import again in one transaction, all or nothing.

Progress of a running apply is written to a small file beside the upload, not to the
database: the import holds its one transaction open, and on SQLite no other connection may
write until it ends.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation

from keyholder.accounts.models import AuditLog, Role, User
from keyholder.accounts.services import audit
from keyholder.core.errors import Code, ServiceError
from keyholder.registry.importing import COLUMNS, RECORDS, ImportReport, import_file
from keyholder.registry.models import ImportJob
from keyholder.registry.reading import ImportFileError, read_rows

UPLOAD_ROLES = (Role.ADMIN, Role.OFFICER, Role.ENUMERATOR)
# The progress file is rewritten at most this many times per import.
PROGRESS_STEPS = 100


def can_upload(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin or user.role in UPLOAD_ROLES)


def jobs_of(user: User) -> Any:
    """The uploads a user may see: only their own (an upload holds people's records)."""
    return ImportJob.objects.filter(created_by=user)


def get_job(user: User, job_id: object) -> ImportJob:
    job = jobs_of(user).filter(pk=job_id).first() if can_upload(user) else None
    if job is None:
        raise ServiceError(Code.NOT_FOUND)
    return job


def plan_of(report: ImportReport) -> dict[str, Any]:
    """A report as the page shows it: counts, then one line per row in the file's order."""
    errors: dict[int, list[dict[str, str]]] = {}
    for error in report.errors:
        errors.setdefault(error.row, []).append(
            {"column": error.column, "code": error.code, "message": error.message}
        )
    lines = []
    for number in sorted({*report.records, *errors}):
        outcome = "refused" if number in errors else report.outcomes.get(number, "refused")
        lines.append(
            {
                "row": number,
                "record": report.records.get(number, ""),
                "outcome": outcome,
                "errors": errors.get(number, []),
            }
        )
    return {
        "ok": report.ok,
        "rows": report.rows,
        "bad_rows": report.bad_rows,
        "created": {r: report.created[r] for r in RECORDS},
        "existing": {r: report.existing[r] for r in RECORDS},
        "lines": lines,
    }


def do_check_upload(*, actor: User, upload: UploadedFile) -> ImportJob:
    """Keep the file, read it and queue its dry run; an unreadable file is refused, not kept."""
    from keyholder.registry.tasks import check_upload

    if not can_upload(actor):
        raise ServiceError(Code.AUTH_FORBIDDEN)
    name = Path(upload.name or "upload").name[-200:]
    job = ImportJob(
        created_by=actor,
        name=name,
        language=translation.get_language() or "tg",
        status=ImportJob.Status.CHECKING,
    )
    # The storage copies the upload (already on disk past 2.5 MB) in chunks.
    job.file.save(name, upload, save=False)
    try:
        _header, rows = read_rows(Path(job.file.path), COLUMNS)
    except ImportFileError as exc:
        job.file.delete(save=False)
        raise exc.error from exc
    job.rows_total = len(rows)
    with transaction.atomic():
        job.save()
        write_progress(job, 0)
        audit(actor, AuditLog.Action.IMPORT, "registry_upload", job.pk, dry_run=True)
        transaction.on_commit(lambda: check_upload.enqueue(str(job.pk)))
    return job


def do_apply_upload(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the import of a checked upload (once: a second apply is refused)."""
    from keyholder.registry.tasks import apply_upload

    with transaction.atomic():
        updated = ImportJob.objects.filter(
            pk=job.pk, created_by=actor, status=ImportJob.Status.CHECKED
        ).update(status=ImportJob.Status.QUEUED)
        if not updated:
            raise ServiceError(Code.IMPORT_NOT_READY)
        write_progress(job, 0)
        transaction.on_commit(lambda: apply_upload.enqueue(str(job.pk)))
    job.refresh_from_db()
    return job


# Progress ------------------------------------------------------------------------------------


def progress_path(job: ImportJob) -> Path:
    return Path(job.file.path).with_suffix(".progress")


def write_progress(job: ImportJob, done: int) -> None:
    path = progress_path(job)
    temporary = path.with_suffix(".progress-new")
    temporary.write_text(str(done))
    # A reader sees the old number or the new one, never half a file.
    temporary.replace(path)


def rows_done(job: ImportJob) -> int:
    if job.status == ImportJob.Status.DONE:
        return job.rows_total
    try:
        return int(progress_path(job).read_text() or 0)
    except (OSError, ValueError):
        return 0


class Progress:
    """What ``import_file`` calls as rows are done (the shape of a tqdm bar)."""

    def __init__(self, job: ImportJob, total: int) -> None:
        self.job = job
        self.done = 0
        self.written = 0
        self.step = max(1, total // PROGRESS_STEPS)

    def update(self, count: int) -> None:
        self.done += count
        if self.done - self.written >= self.step:
            write_progress(self.job, self.done)
            self.written = self.done

    def close(self) -> None:
        write_progress(self.job, self.done)


def run_check(job_id: str) -> str:
    """The dry run: the import, rolled back, as the uploader, in the uploader's language."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.CHECKING:
        return job.status if job is not None else "missing"
    with translation.override(job.language):
        try:
            report = import_file(
                Path(job.file.path),
                actor=job.created_by,
                dry_run=True,
                progress_factory=lambda total: Progress(job, total),
            )
        except ImportFileError as exc:
            job.plan = {"ok": False, "message": exc.error.message, "lines": []}
            job.status = ImportJob.Status.REFUSED
        except Exception:
            job.plan = {"ok": False, "message": ServiceError(Code.INTERNAL).message}
            job.status = ImportJob.Status.FAILED
            job.save(update_fields=["plan", "status"])
            raise
        else:
            job.plan = plan_of(report)
            job.status = ImportJob.Status.CHECKED if report.ok else ImportJob.Status.REFUSED
    job.save(update_fields=["plan", "status"])
    with contextlib.suppress(OSError):
        progress_path(job).unlink()
    return job.status


def run_upload(job_id: str) -> str:
    """The apply: the same import as the dry run, for real, in one transaction."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        # Already run (a task delivered twice) or deleted: nothing to do.
        return job.status if job is not None else "missing"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    with translation.override(job.language):
        try:
            report = import_file(
                Path(job.file.path),
                actor=job.created_by,
                progress_factory=lambda total: Progress(job, total),
            )
        except ImportFileError as exc:
            job.result = {"ok": False, "message": exc.error.message, "lines": []}
            job.status = ImportJob.Status.FAILED
        except Exception:
            # Nothing was imported (the transaction rolled back); the page must not show
            # "importing" for ever. The worker logs the exception.
            job.result = {"ok": False, "message": ServiceError(Code.INTERNAL).message}
            job.status = ImportJob.Status.FAILED
            job.finished_at = timezone.now()
            job.save(update_fields=["result", "status", "finished_at"])
            raise
        else:
            job.result = plan_of(report)
            job.status = ImportJob.Status.DONE if report.ok else ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "finished_at"])
    with contextlib.suppress(OSError):
        progress_path(job).unlink()
    return job.status
