"""Background jobs of the registry, run by the django-tasks database queue."""

from __future__ import annotations

from django_tasks import task

from keyholder.registry.uploads import run_check, run_upload


@task()
def check_upload(job_id: str) -> str:
    """Dry-run an uploaded file: the plan its page shows (keyholder/registry/uploads.py)."""
    return run_check(job_id)


@task()
def apply_upload(job_id: str) -> str:
    """Import an uploaded file that its dry run found good (keyholder/registry/uploads.py)."""
    return run_upload(job_id)
