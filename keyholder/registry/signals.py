"""What the registry announces after a write (through ``keyholder.core.effects``).

``REGISTRY_CHANGED`` carries the villages touched and the earliest event date affected, so that
the analytics store can refresh only what moved. The services announce it inside their
transaction; listeners (the indicators app) run after commit.
"""

from __future__ import annotations

REGISTRY_CHANGED = "registry.changed"
