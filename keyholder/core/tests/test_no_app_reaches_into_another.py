"""No module imports a private name (``_x``) of another app: what an app offers the others is
its public names. The direction of imports between apps is held by import-linter (`make lint`);
this test holds the other half of the floor's rule, which import-linter does not check."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
# The names after ``from keyholder.… import``, parenthesised or continued with a backslash: a
# file is parsed only when one of them starts with an underscore (parsing all 450 files is a
# second of CPU; the parse then decides, so the regular expression only has to not miss one).
IMPORTED_NAMES = re.compile(
    r"^[ \t]*from[ \t]+keyholder\.[\w.]+[ \t]+import[ \t]*(\([^)]*\)|(?:[^\n\\]|\\\n)*)", re.M
)
UNDERSCORED = re.compile(r"(?<![\w.])_\w")


def may_import_a_private_name(text: str) -> bool:
    return any(UNDERSCORED.search(names) for names in IMPORTED_NAMES.findall(text))


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def private_imports(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package.parent)
        module = ".".join(relative.with_suffix("").parts)
        text = path.read_text(encoding="utf-8")
        if not may_import_a_private_name(text):
            continue
        tree = ast.parse(text, filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            if not node.module.startswith("keyholder.") or node.level:
                continue
            if app_of(node.module) == app_of(module):
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{relative}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another_app() -> None:
    assert private_imports() == []


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    # The walk above must be able to fail: the same rule on a tree written to break it.
    package = tmp_path / "keyholder"
    (package / "keeping").mkdir(parents=True)
    (package / "registry").mkdir()
    (package / "keeping" / "services.py").write_text(
        "from keyholder.registry.services import _idempotent, find_resend\n"
    )
    (package / "registry" / "api.py").write_text("from keyholder.registry.services import _own\n")
    (package / "registry" / "views.py").write_text(
        "from keyholder.keeping.services import (\n    find,\n    _plan,\n)\n"
        "from keyholder.keeping.models import House, \\\n    _Unit\n"
    )
    assert private_imports(package) == [
        "keyholder/keeping/services.py:1 imports keyholder.registry.services._idempotent",
        "keyholder/registry/views.py:1 imports keyholder.keeping.services._plan",
        "keyholder/registry/views.py:5 imports keyholder.keeping.models._Unit",
    ]
