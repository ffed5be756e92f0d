"""The typed schemas of the sync API, as the OpenAPI document shows them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from keyholder.field import push, scope
from keyholder.field.pull import DEFAULT_LIMIT, MAX_LIMIT


class PullQuery(Schema):
    cursor: str | None = Field(
        None,
        description=(
            "The `cursor` of the last answer: of the previous page while `more` was true, else of "
            "the last pull. None (or another account's cursor): everything, with `reset` true."
        ),
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Changes per page.")


def _data_schema() -> dict[str, Any]:
    """The data of a change, one of the record types' shapes (a deletion has none)."""
    shapes = []
    seen = set()
    for kind in (*scope.KEYHOLDER_KINDS, *scope.ENUMERATOR_KINDS):
        if kind.schema in seen:
            continue
        seen.add(kind.schema)
        shape = kind.schema.model_json_schema(by_alias=False, mode="serialization")
        shape["title"] = f"{kind.name} ({kind.schema.__name__})"
        shapes.append(shape)
    return {"anyOf": [*shapes, {"type": "null"}], "title": "Data"}


class ChangeOut(Schema):
    type: str = Field(
        ...,
        description="house, agreement, duty, task, water_turn (keyholders); house, household, "
        "person, event (enumerators).",
    )
    id: str = Field(..., description="The record's id: a UUID (a number for water turns).")
    op: str = Field(..., description="upsert: store these data under the id; delete: drop it.")
    data: Annotated[dict[str, Any] | None, WithJsonSchema(_data_schema())] = Field(
        None, description="The record's fields for an upsert (shapes per type in docs/sync.md)."
    )


class PullOut(Schema):
    cursor: str = Field(..., description="Opaque: send it with the next request.")
    more: bool = Field(..., description="True: ask again at once with `cursor` for the rest.")
    reset: bool = Field(
        ..., description="True: drop every record held before applying these changes."
    )
    wipe_after_days: int = Field(
        ..., description="The phone wipes its records after this many days without a pull."
    )
    server_time: dt.datetime
    changes: list[ChangeOut]


class RecordIn(Schema):
    type: str = Field(
        ...,
        description="visit, incident, payment (keyholders); house, household, person, event "
        "(enumerators).",
    )
    id: uuid.UUID = Field(..., description="Made on the phone when the record was made.")
    made_at: dt.datetime = Field(..., description="When the record was made on the phone.")
    data: dict[str, Any] = Field(..., description="The record's fields (docs/sync.md).")


class PushIn(Schema):
    records: list[RecordIn] = Field(..., max_length=push.MAX_BATCH)


class ResultOut(Schema):
    id: uuid.UUID
    result: str = Field(..., description="created, exists, conflict or refused")
    code: str | None = Field(None, description="The error code of a conflict or a refusal.")
    message: str | None = Field(None, description="Its message, in the request's language.")
    field: str | None = None


class PushOut(Schema):
    results: list[ResultOut] = Field(..., description="One per record, in the order sent.")


class PhotoForm(Schema):
    id: uuid.UUID = Field(..., description="Made on the phone: a resend answers exists.")
    visit: uuid.UUID | None = Field(None, description="The visit (sent before) it belongs to.")
    incident: uuid.UUID | None = Field(None, description="Or the incident it belongs to.")
    taken_at: dt.datetime | None = Field(
        None, description="When it was taken, if the file itself does not say."
    )
    attach_position: bool = False
    latitude: float | None = None
    longitude: float | None = None
