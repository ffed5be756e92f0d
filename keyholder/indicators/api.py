"""API v1 endpoints of the indicators app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["indicators"])
