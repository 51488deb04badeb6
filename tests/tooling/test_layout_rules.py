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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph(*packages: str) -> dict[str, set[str]]:
    """Module -> the project modules it imports, at the top or inside a function."""
    modules = {_module_name(path): path for path in _sources(*packages)}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets.add(node.module)
                targets |= {f"{node.module}.{alias.name}" for alias in node.names}
        # A package's __init__ importing its own modules is how packages work, not a cycle.
        graph[name] = {
            t for t in targets if t in modules and t != name and not name.startswith(t + ".")
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_of_the_bot_or_the_core_import_each_other():
    assert _cycles(_import_graph("core", "bot")) == []


def test_the_bot_api_emulator_is_a_package_of_its_own_that_imports_nothing_of_the_bot():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _sources("emulator")
        for name in _imports(path)
        if name.split(".")[0] in {"bot", "core"}
    ]
    assert (ROOT / "emulator" / "__init__.py").exists()
    assert not (ROOT / "bot" / "emulator").exists()
    assert offenders == []
