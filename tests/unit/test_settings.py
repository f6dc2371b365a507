"""Settings read from the environment: the cases a deployment file produces."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

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


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("transient_retry_s", -1),
        ("retry_backoff_max_s", 0),
        ("maintenance_interval_s", 0),
        ("dead_consumer_idle_ms", 10),
        ("max_backlog", 0),
        ("backlog_retry_after_s", 0),
    ],
)
def test_delivery_settings_refuse_values_that_make_no_sense(name: str, bad: float) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(**{name: bad})


DELIVERY_SETTINGS = (
    "max_deliveries", "claim_idle_ms", "poll_interval_ms", "shutdown_grace_s",
    "transient_retry_s", "retry_backoff_max_s", "maintenance_interval_s",
    "dead_consumer_idle_ms", "max_backlog", "backlog_retry_after_s",
)  # fmt: skip


@pytest.mark.parametrize("name", DELIVERY_SETTINGS)
def test_delivery_settings_have_a_line_in_the_readme_table(name: str) -> None:
    assert name in Settings.model_fields
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"| `NEWSWIRE_{name.upper()}` |" in readme
