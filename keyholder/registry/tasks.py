"""Background jobs of the registry, run by the django-tasks database queue."""

from __future__ import annotations

from django_tasks import task

from keyholder.registry.uploads import run_check, run_upload

# Someone watches the progress bar of an upload: its jobs go before the queue's batch work
# (indicator refreshes, pruning), which nobody waits for.
WAITED_FOR = 10


@task(priority=WAITED_FOR)
def check_upload(job_id: str) -> str:
    """Dry-run an uploaded file: the plan its page shows (keyholder/registry/uploads.py)."""
    return run_check(job_id)


@task(priority=WAITED_FOR)
def apply_upload(job_id: str) -> str:
    """Import an uploaded file that its dry run found good (keyholder/registry/uploads.py)."""
    return run_upload(job_id)
