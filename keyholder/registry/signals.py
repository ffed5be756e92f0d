"""What the registry announces after a write (through ``keyholder.core.effects``).

``REGISTRY_CHANGED`` (and ``FED_CHANGED``, below) carries the villages touched and the earliest event date affected, so that
the analytics store can refresh only what moved. The services announce it inside their
transaction; listeners (the indicators app) run after commit.
"""

from __future__ import annotations

REGISTRY_CHANGED = "registry.changed"
# The same, for writes whose every change is in the change feed (``SpanChange``, written by
# ``spans.rewrite_spans``, and ``EventChange``, by ``spans.log_event``): events recorded,
# corrected or deleted, and persons added. The store moves by the feed instead of
# recomputing the villages.
FED_CHANGED = "registry.fed_changed"
