"""The sync API of the offline field app, under /api/v1/sync/ (docs/sync.md)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from keyholder.accounts.access import require_user
from keyholder.core.api import READ, WRITE
from keyholder.core.errors import Code, ServiceError
from keyholder.field import push as pushing
from keyholder.field.pull import PullAnswer, pull
from keyholder.field.schemas import PhotoForm, PullOut, PullQuery, PushIn, PushOut, ResultOut
from keyholder.keeping import access as keeping_access
from keyholder.keeping import services as keeping

router = Router(tags=["sync"])


@router.get(
    "/pull",
    response={200: PullOut, **READ},
    summary="The changes of the user's scope since a cursor, page by page",
)
def pull_changes(request: HttpRequest, query: Query[PullQuery]) -> PullAnswer:
    return pull(require_user(request.user), query.cursor, query.limit)


@dataclass(frozen=True)
class PushAnswer:
    results: list[pushing.Result]


@router.post(
    "/push",
    response={200: PushOut, **WRITE},
    summary="Records made offline, each answered on its own, in order",
)
def push_records(request: HttpRequest, payload: PushIn) -> PushAnswer:
    user = require_user(request.user)
    records = [pushing.Record(r.type, r.id, r.made_at, r.data) for r in payload.records]
    return PushAnswer(pushing.push(user, records))


@router.post(
    "/photos",
    response={200: ResultOut, 201: ResultOut, **WRITE},
    summary="A photo of a visit (or an incident) sent before it; a resend answers exists",
)
def push_photo(
    request: HttpRequest, payload: Form[PhotoForm], image: File[UploadedFile]
) -> tuple[int, pushing.Result]:
    user = require_user(request.user)
    if (payload.visit is None) == (payload.incident is None):
        raise ServiceError(Code.INVALID_FIELD, field="visit", detail="visit or incident")
    visit = keeping_access.get_visit(user, payload.visit) if payload.visit else None
    incident = keeping_access.get_incident(user, payload.incident) if payload.incident else None
    keep = payload.attach_position
    _photo, created = keeping.do_add_photo(
        actor=user,
        upload=keeping.PhotoUpload(
            data=image.read(),
            id=payload.id,
            latitude=payload.latitude if keep else None,
            longitude=payload.longitude if keep else None,
            taken_at=payload.taken_at,
        ),
        visit=visit,
        incident=incident,
    )
    return (
        (201, pushing.Result(payload.id, "created"))
        if created
        else (
            200,
            pushing.Result(payload.id, "exists"),
        )
    )
