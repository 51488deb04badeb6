"""The lock files: what dev.py installs is what pyproject.toml declares, pinned and hashed."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_dev():
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def dev(tmp_path, monkeypatch):
    """dev.py pointed at copies of pyproject.toml and the locks, so a test may edit them."""
    module = _load_dev()
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(module, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(module, "RUNTIME_LOCK", tmp_path / "requirements.lock")
    monkeypatch.setattr(module, "DEV_LOCK", tmp_path / "requirements-dev.lock")
    monkeypatch.setattr(module, "PY", Path(sys.executable))
    return module


def test_the_committed_locks_match_pyproject_and_the_installed_packages(dev):
    assert dev.lock_problems() == []


def test_every_locked_package_carries_a_hash(dev):
    text = dev.DEV_LOCK.read_text()
    pins = dev.locked_versions(dev.DEV_LOCK)
    assert len(pins) > 40
    blocks = text.split("\n")
    for index, line in enumerate(blocks):
        if line[:1].isalnum():
            assert blocks[index + 1].strip().startswith("--hash=sha256:"), line


def test_a_dependency_added_without_relocking_is_reported(dev):
    pyproject = dev.PYPROJECT.read_text()
    dev.PYPROJECT.write_text(
        pyproject.replace('"sniffio>=1.3,<2",', '"sniffio>=1.3,<2",\n    "rich>=13",')
    )

    problems = dev.lock_problems()

    assert problems and "pyproject.toml's dependencies changed" in problems[0]


def test_a_changed_version_range_is_reported_too(dev):
    pyproject = dev.PYPROJECT.read_text()
    dev.PYPROJECT.write_text(pyproject.replace('"segno>=1.6,<2"', '"segno>=1.7,<2"'))

    assert dev.lock_problems()


def test_the_runtime_lock_uses_the_dev_locks_versions(dev):
    runtime = dev.RUNTIME_LOCK.read_text()
    version = dev.locked_versions(dev.RUNTIME_LOCK)["segno"]
    dev.RUNTIME_LOCK.write_text(runtime.replace(f"segno=={version}", "segno==0.0.1"))

    assert any("segno" in problem for problem in dev.lock_problems())


def test_a_package_installed_at_another_version_than_locked_is_reported(dev, monkeypatch):
    locked = dev.locked_versions(dev.DEV_LOCK)
    monkeypatch.setattr(dev, "installed_versions", lambda: {**locked, "segno": "0.0.1"})

    assert any("segno 0.0.1 is installed" in problem for problem in dev.lock_problems())


def test_the_runtime_lock_leaves_the_dev_tools_out(dev):
    runtime = dev.locked_versions(dev.RUNTIME_LOCK)
    assert "python-telegram-bot" in runtime
    assert not {"pytest", "ruff", "mypy", "uv"} & set(runtime)
