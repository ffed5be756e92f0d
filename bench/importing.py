"""The import step of the benchmark (issue 10): the Asht export imported into an emptied registry.

The file is what ``keyholder export --place TJ-SU-ASHT`` writes of the demo's district sample
at scale 0.04 (``keyholder generate --district Asht --seed 1 --scale 0.04``: 26,102 rows,
1,185 houses, 1,185 households, 8,984 persons, 14,748 events), about the size of the real
Asht file. The sample lives in a database of its own, ``KEYHOLDER_BENCH_IMPORT_DATABASE_URL``,
by default the SQLite file ``var/bench/import-asht.sqlite3``, made once and reused. The
district's records are deleted and the file imported in one transaction that is then rolled
back, so every run starts from the same registry. Wall and CPU seconds of ``import_file`` are
reported (the machine is shared: CPU time is the steadier number); the target is 15 s.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.status import english

DISTRICT = "TJ-SU-ASHT"
SCALE = 0.04


def ensure_sample(seed: int) -> None:
    from django.core.management import call_command

    from keyholder.places.models import Place

    call_command("migrate", verbosity=0, interactive=False)
    if not Place.objects.filter(code=DISTRICT).exists():
        call_command("load_places", verbosity=0)
    call_command(
        "generate", district=DISTRICT, seed=seed, scale=SCALE, if_empty=True, no_progress=True
    )


def step_import(args: Any) -> dict[str, Any]:
    english()
    from django.db import connection, transaction

    from keyholder.places.models import Place
    from keyholder.registry.exporting import export_rows, write_csv
    from keyholder.registry.importing import import_file
    from keyholder.registry.models import (
        GardenTree,
        House,
        Household,
        MigrationEvent,
        Person,
        StatusSpan,
    )

    ensure_sample(args.seed)
    district = Place.objects.get(code=DISTRICT)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "asht.csv"
        with path.open("w", encoding="utf-8", newline="") as stream:
            write_csv(export_rows(district), stream)
        village_ids = list(
            Place.objects.filter(path__startswith=district.path, kind__in=("village", "town"))
            .order_by()
            .values_list("pk", flat=True)
        )
        with transaction.atomic():
            StatusSpan.objects.filter(village_id__in=village_ids).delete()
            MigrationEvent.objects.filter(person__household__village_id__in=village_ids).delete()
            Person.objects.filter(household__village_id__in=village_ids).delete()
            Household.objects.filter(village_id__in=village_ids).delete()
            GardenTree.objects.filter(house__village_id__in=village_ids).delete()
            House.objects.filter(village_id__in=village_ids).delete()
            began, cpu = time.perf_counter(), time.process_time()
            report = import_file(path)
            seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
            imported = {
                "persons": Person.objects.filter(household__village_id__in=village_ids).count(),
                "events": MigrationEvent.objects.filter(
                    person__household__village_id__in=village_ids
                ).count(),
            }
            transaction.set_rollback(True)
    return {
        "database": connection.vendor,
        "district": DISTRICT,
        "sample_scale": SCALE,
        "rows": report.rows,
        "ok": report.ok,
        "errors": [e.__dict__ for e in report.errors[:3]],
        "created": dict(report.created),
        "in_registry_after": imported,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
    }
