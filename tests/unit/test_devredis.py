"""Which redis-server the dev and test harness starts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from newswire_shared.devredis import find_redis_server


def test_the_setting_names_the_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "redis-server-7"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("NEWSWIRE_REDIS_SERVER", str(binary))
    assert find_redis_server() == str(binary)


def test_a_setting_that_is_not_executable_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope"
    monkeypatch.setenv("NEWSWIRE_REDIS_SERVER", str(missing))
    with pytest.raises(RuntimeError, match=r"NEWSWIRE_REDIS_SERVER=.*nope"):
        find_redis_server()


def test_without_the_setting_a_binary_is_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSWIRE_REDIS_SERVER", raising=False)
    assert os.access(find_redis_server(), os.X_OK)
