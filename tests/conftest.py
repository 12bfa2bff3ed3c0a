"""Every test gets its own analysis cache folder: tests never write to the user's real cache
and never see each other's entries (subprocesses inherit it through the environment)."""

from __future__ import annotations

from pathlib import Path

import pytest

CACHE_ENV = "STRANGLER_CACHE_DIR"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.mktemp("strangler-cache") / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder
