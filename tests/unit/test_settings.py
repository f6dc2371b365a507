"""Settings read from the environment: the cases a deployment file produces."""

from __future__ import annotations

import pytest

from newswire_shared.settings import Settings


@pytest.mark.parametrize("blank", ["", "  "])
def test_blank_api_key_means_no_key(monkeypatch: pytest.MonkeyPatch, blank: str) -> None:
    monkeypatch.setenv("NEWSWIRE_API_KEY", blank)
    assert Settings(_env_file=None).api_key is None  # type: ignore[call-arg]


def test_api_key_is_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_API_KEY", "s3cret")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
