"""The worker runs the jobs somebody watches on a page before the queue's batch work.

(Here because the indicators app sits above both the registry and notify, whose jobs it
compares; the worker's turns are tested in notify/tests/test_background_jobs.py.)
"""

from keyholder.indicators.tasks import refresh_indicators
from keyholder.notify.tasks import prune_sent_messages
from keyholder.registry.tasks import apply_upload, check_upload


def test_an_uploads_check_and_apply_go_before_refreshes_and_pruning() -> None:
    batch = {refresh_indicators.priority, prune_sent_messages.priority}
    assert min(check_upload.priority, apply_upload.priority) > max(batch)
