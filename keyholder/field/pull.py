"""The scoped download: the changes of a user's scope since an opaque cursor, page by page.

A pull begins with a *refresh* (the first page: no cursor, or the final cursor of the last
pull): the user's scope is read as it is now and compared with ``Replica``, what their phones
were last told. A record that is new, changed or back in scope gets a fresh row (a new,
higher ``seq``); a record that left the scope (an agreement ended or given to another keyholder,
a task done, a village taken off an enumerator) gets a deletion row. The pages then hand out the
user's rows after the cursor's ``seq``, in ``seq`` order, each record at most once.

The refresh of one user holds a lock on their account row, so two phones of one user pulling
at once cannot interleave their rows, and a reader never sees a ``seq`` before a lower one of
the same user that commits later.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from keyholder.accounts.models import User
from keyholder.accounts.services import audit_list
from keyholder.core.errors import Code, ServiceError
from keyholder.field import scope
from keyholder.field.models import Replica

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000

# What a cursor says besides the seq: the next request starts a new pull (refresh), continues
# an incremental pull, or continues a pull from nothing (deletions are skipped: the phone had
# nothing to delete).
FINAL, CONTINUING, CONTINUING_FRESH = 0, 1, 2


@dataclass(frozen=True)
class Cursor:
    user: int
    seq: int
    mode: int

    def encode(self) -> str:
        raw = json.dumps([self.user, self.seq, self.mode], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode("ascii").rstrip("=")


def decode(text: str | None) -> Cursor | None:
    if not text:
        return None
    try:
        padded = text + "=" * (-len(text) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise ServiceError(Code.INVALID_CURSOR, field="cursor") from exc
    if (
        not isinstance(values, list)
        or len(values) != 3
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values)
        or values[2] not in (FINAL, CONTINUING, CONTINUING_FRESH)
    ):
        raise ServiceError(Code.INVALID_CURSOR, field="cursor")
    return Cursor(*values)


@dataclass(frozen=True)
class Change:
    type: str
    id: str
    op: str
    data: dict[str, Any] | None


@dataclass(frozen=True)
class PullAnswer:
    cursor: str
    more: bool
    reset: bool
    wipe_after_days: int
    server_time: Any
    changes: list[Change] = field(default_factory=list)


@transaction.atomic
def refresh(user: User) -> int:
    """Write a row for every record of the user's scope that changed since the last refresh,
    entered or left it. Returns the number of rows written."""
    User.objects.select_for_update().filter(pk=user.pk).order_by().first()
    now = timezone.now()
    current = scope.snapshot(user)
    known = {
        (r.type, r.record_id): r
        for r in Replica.objects.filter(user=user).only(
            "seq", "type", "record_id", "digest", "deleted"
        )
    }
    changed = sorted(
        (
            key
            for key, dig in current.items()
            if (row := known.get(key)) is None or row.deleted or row.digest != dig
        ),
        key=lambda k: (scope.TYPE_ORDER.get(k[0], 99), k[1]),
    )
    gone = sorted(
        (key for key, row in known.items() if not row.deleted and key not in current),
        key=lambda k: (-scope.TYPE_ORDER.get(k[0], 99), k[1]),
    )
    replaced = [known[k].seq for k in [*changed, *gone] if k in known]
    for start in range(0, len(replaced), 500):
        Replica.objects.filter(seq__in=replaced[start : start + 500]).delete()
    rows = [
        Replica(user=user, type=t, record_id=i, digest=current[(t, i)], changed_at=now)
        for t, i in changed
    ] + [Replica(user=user, type=t, record_id=i, deleted=True, changed_at=now) for t, i in gone]
    Replica.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def pull(user: User, cursor_text: str | None, limit: int = DEFAULT_LIMIT) -> PullAnswer:
    """One page of the user's changes after the cursor (see the module's docstring)."""
    limit = max(1, min(limit, MAX_LIMIT))
    cursor = decode(cursor_text)
    # A cursor of another account (a phone handed to someone else) starts afresh, and the
    # phone is told to drop everything it holds first.
    reset = cursor is None or cursor.user != user.pk
    if reset:
        cursor = Cursor(user.pk, 0, CONTINUING_FRESH)
        refresh(user)
    assert cursor is not None
    if cursor.mode == FINAL:
        refresh(user)
    fresh = cursor.mode == CONTINUING_FRESH
    rows_q = Replica.objects.filter(user=user, seq__gt=cursor.seq).order_by("seq")
    if fresh:
        rows_q = rows_q.filter(deleted=False)
    rows = list(rows_q.only("seq", "type", "record_id", "deleted")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    data = scope.load(user, [(r.type, r.record_id) for r in rows if not r.deleted])
    changes = []
    for row in rows:
        key = (row.type, row.record_id)
        if row.deleted:
            changes.append(Change(row.type, row.record_id, "delete", None))
        elif key in data:
            changes.append(Change(row.type, row.record_id, "upsert", data[key]))
        # A record that left the scope since the refresh is skipped: the next pull deletes it.
    last = rows[-1].seq if rows else cursor.seq
    if more:
        next_cursor = Cursor(user.pk, last, CONTINUING_FRESH if fresh else CONTINUING)
    else:
        next_cursor = Cursor(user.pk, last, FINAL)
    # One audit row per page: the records handed to the phone, by id (deletions name no one).
    audit_list(
        user,
        "field_pull",
        {"cursor": cursor_text or "", "limit": limit},
        [c.id for c in changes if c.op == "upsert"],
        object_id=user.pk,
        upserts=sum(c.op == "upsert" for c in changes),
        deletes=sum(c.op == "delete" for c in changes),
    )
    return PullAnswer(
        cursor=next_cursor.encode(),
        more=more,
        reset=reset,
        wipe_after_days=settings.FIELD_WIPE_AFTER_DAYS,
        server_time=timezone.now(),
        changes=changes,
    )
