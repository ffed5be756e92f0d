"""Signals sent after a registry change has committed.

``registry_changed`` carries the villages touched and the earliest event date affected, so that
the analytics store can refresh only what moved. Services send it from ``on_commit``.
"""

from __future__ import annotations

import django.dispatch

registry_changed = django.dispatch.Signal()
