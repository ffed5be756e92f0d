"""Shared setup for the sample generator tests: the real places and a small Asht registry."""

from io import StringIO

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
