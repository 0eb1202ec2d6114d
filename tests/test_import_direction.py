"""The apps import each other in one direction only (docs: ARCHITECTURE.md, "Import direction").

portal's building blocks import no app; criteria may import providers; audits may import both.
The modules are parsed, not imported, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = frozenset({"providers", "criteria", "audits"})

# portal's wiring: the modules that connect the apps, and so may import them.
PORTAL_WIRING_FILES = frozenset({"urls.py", "api_urls.py", "wsgi.py", "asgi.py", "celery.py"})
PORTAL_WIRING_DIRS = frozenset({"seed", "management"})

# What each app must not import.
FORBIDDEN: dict[str, frozenset[str]] = {
    "providers": frozenset({"criteria", "audits"}),
    "criteria": frozenset({"audits"}),
}


def imported_apps(source: str) -> set[str]:
    """The top-level packages of APPS that `source` imports, anywhere in the module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside their own package
        found |= {name.split(".")[0] for name in names} & APPS
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def portal_building_blocks() -> list[Path]:
    blocks = []
    for path in modules("portal"):
        relative = path.relative_to(ROOT / "portal")
        if relative.parts[0] in PORTAL_WIRING_DIRS or str(relative) in PORTAL_WIRING_FILES:
            continue
        blocks.append(path)
    return blocks


def violations(paths: list[Path], forbidden: frozenset[str]) -> list[str]:
    found = []
    for path in paths:
        bad = imported_apps(path.read_text(encoding="utf-8")) & forbidden
        if bad:
            found.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    return found


def test_the_scanner_sees_lazy_and_dotted_imports():
    source = "def build():\n    from criteria.api import X\n    import audits.tasks\n"
    assert imported_apps(source) == {"criteria", "audits"}
    assert imported_apps("from .api import pick_translation\nimport providersish\n") == set()


def test_portal_building_blocks_import_no_app():
    blocks = portal_building_blocks()
    assert ROOT / "portal" / "api.py" in blocks
    assert ROOT / "portal" / "cache.py" in blocks
    assert violations(blocks, APPS) == []


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_does_not_import_the_apps_that_depend_on_it(app):
    assert violations(modules(app), FORBIDDEN[app]) == []
