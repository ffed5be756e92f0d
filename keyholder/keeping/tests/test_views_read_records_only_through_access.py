"""The keeping pages never query a protected model themselves: reads go through ``access``.

A query written in a view escapes the scoping (and the audit) that ``access`` applies, which is
how the entrust page once read every agreement and every owner account directly. Places are
public reference data and may be read anywhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

from keyholder.keeping import views

PUBLIC_MODELS = {"Place"}


def test_views_do_not_query_protected_models_directly() -> None:
    tree = ast.parse(Path(views.__file__).read_text(encoding="utf-8"))
    direct = sorted(
        f"{node.value.id}.objects (line {node.lineno})"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id not in PUBLIC_MODELS
    )
    assert direct == []
