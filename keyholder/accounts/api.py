"""API v1 endpoints of the accounts app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["accounts"])
