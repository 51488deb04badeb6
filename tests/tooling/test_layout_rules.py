"""Rules of the layout that a reader relies on: the core knows nothing of Telegram, and the
bot uses only python-telegram-bot's public API (a minor release may change private modules)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "bot", "migrations", "bench")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _sources(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


def test_the_core_never_imports_the_telegram_library():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources("core")
        for name in _imports(path)
        if name == "telegram" or name.startswith("telegram.")
    ]
    assert offenders == []


def test_no_module_imports_a_private_module_of_python_telegram_bot():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources(*PACKAGES, "tests")
        for name in _imports(path)
        if name.startswith("telegram") and any(part.startswith("_") for part in name.split("."))
    ]
    assert offenders == []
