"""Shared setup for the sample generator tests: the real places and a small Asht registry."""

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

SCALE = 0.02


def generate(scale: float = SCALE, seed: int = 1, **options: object) -> str:
    out = StringIO()
    call_command(
        "generate", district="Asht", seed=seed, scale=scale, no_progress=True, stdout=out, **options
    )
    return out.getvalue()


def load_and_generate(scale: float = SCALE, seed: int = 1) -> str:
    call_command("load_places", stdout=StringIO())
    return generate(scale, seed)


def generated_once() -> Callable[..., str]:
    """A module fixture: the real places and the Asht registry at ``SCALE``, generated once for
    the module's tests (see ``module_db`` in the root conftest.py); it returns what
    ``generate`` printed."""

    @pytest.fixture(scope="module")
    def generated(module_db: Any) -> str:
        with module_db.unblock():
            return load_and_generate()

    return generated
