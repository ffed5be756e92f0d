"""What the keeping app announces after a write (through ``keyholder.core.effects``).

``CARE_CHANGED``: an agreement began, paused, resumed or ended, so the houses under care (and
the kept and unkept vacant houses of the indicators) changed in these villages.
"""

from __future__ import annotations

CARE_CHANGED = "keeping.care_changed"
