"""The fetcher API's defences, served by uvicorn on loopback against a real redis-server.

The API key on writes, body and batch limits, field-named validation errors, the CLI
sending the key, the key never reaching a log line, and a schemathesis run generated from
the API's own OpenAPI document that must never produce a 5xx.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import hypothesis
import pytest
import schemathesis
import uvicorn
from structlog.testing import capture_logs

from newswire_cli import api as cli_api
from newswire_cli.errors import CliError
from newswire_fetcher.service import build_app
from newswire_shared.app import ServiceRuntime
from newswire_shared.devredis import free_port
from newswire_shared.settings import Settings

KEY = "s3cret-key-for-tests-only"
URL = "https://example.com/news/story"


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The fetcher API (no worker: nothing is fetched) on a free port; yields its base URL."""
    port = free_port()
    app = build_app(ServiceRuntime("fetcher", settings=settings), worker=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):  # readiness by polling, not by guessing a duration
            if server.started:
                break
            time.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def locked(redis_url: str) -> Iterator[str]:
    settings = Settings(redis_url=redis_url, api_key=KEY, api_max_body_bytes=4096, max_batch_urls=3)
    with serving(settings) as base:
        yield base


def post(base: str, body: object = None, **kwargs: object) -> httpx.Response:
    with httpx.Client(base_url=base, trust_env=False, timeout=10) as client:
        return client.post("/articles", json=body, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}, {"Authorization": KEY}],
    ids=["missing", "wrong-header", "wrong-bearer", "not-bearer"],
)
def test_writes_need_the_api_key(locked: str, headers: dict[str, str]) -> None:
    response = post(locked, {"url": URL}, headers=headers)
    assert response.status_code == 401
    assert "API key" in response.json()["detail"]
    assert KEY not in response.text


@pytest.mark.parametrize(
    "headers", [{"X-API-Key": KEY}, {"Authorization": f"Bearer {KEY}"}], ids=["header", "bearer"]
)
def test_the_right_key_is_accepted(locked: str, headers: dict[str, str]) -> None:
    assert post(locked, {"url": URL}, headers=headers).status_code == 202


def test_reads_do_not_need_the_key(locked: str) -> None:
    with httpx.Client(base_url=locked, trust_env=False) as client:
        assert client.get("/articles/unknown").status_code == 404
        assert client.get("/healthz").status_code == 200


def test_body_over_the_limit_is_413_declared_or_chunked(locked: str) -> None:
    auth = {"X-API-Key": KEY}
    big = {"text": "x" * 10_000}
    declared = post(locked, big, headers=auth)
    assert declared.status_code == 413
    assert "larger than 4096 bytes" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(100):
            yield b"y" * 1000
        yield b'"}'

    with httpx.Client(base_url=locked, trust_env=False) as client:
        chunked = client.post(
            "/articles", content=chunks(), headers={**auth, "Content-Type": "application/json"}
        )
    assert chunked.status_code == 413


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({"urls": [URL + "/1", URL + "/2", URL + "/3", URL + "/4"]}, ["body", "urls"],
         "4 URLs; at most 3 per request"),
        ({"url": "ftp://example.com/x"}, ["body", "url"], "scheme 'ftp' is not supported"),
        ({"urls": [URL, "javascript:alert(1)"]}, ["body", "urls", 1], "scheme 'javascript'"),
        ({"url": URL, "ulr": URL}, ["body", "ulr"], "Extra inputs are not permitted"),
        ({"text": "  "}, ["body", "text"], "text is empty"),
    ],
    ids=["batch-too-big", "bad-scheme", "bad-url-in-batch", "unknown-field", "empty-text"],
)  # fmt: skip
def test_validation_errors_name_the_field_and_why(
    locked: str, body: dict[str, object], loc: list[object], message: str
) -> None:
    response = post(locked, body, headers={"X-API-Key": KEY})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    assert message in error["msg"]


def test_cli_sends_the_key_from_its_setting(locked: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSWIRE_API_KEY", raising=False)
    with pytest.raises(CliError, match="refused the request"):
        cli_api.request("POST", locked, "/articles", service="fetcher", json={"url": URL})
    monkeypatch.setenv("NEWSWIRE_API_KEY", KEY)
    answer = cli_api.request("POST", locked, "/articles", service="fetcher", json={"url": URL})
    assert answer["articles"][0]["stage"] == "queued"


def test_the_key_never_reaches_a_log_line(locked: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with capture_logs() as events:
        post(locked, {"url": URL}, headers={"X-API-Key": KEY})
        post(locked, {"url": URL + "?x=1"}, headers={"Authorization": f"Bearer {KEY}"})
        post(locked, {"url": URL}, headers={"X-API-Key": KEY + "-wrong"})
    assert events, "the submissions should have been logged"
    assert KEY not in repr(events)
    assert KEY not in caplog.text
    assert KEY not in repr(Settings(api_key=KEY))  # a SecretStr prints as '**********'


# --- schemathesis: requests generated from the API's own OpenAPI document -------------


def test_fuzzed_requests_never_get_a_5xx(redis_url: str) -> None:
    """Each operation of the fetcher's OpenAPI document, with generated inputs, valid or not.

    (Run by hand over the operations: schemathesis' lazy pytest fixture loader does not
    work with this pytest version.)
    """
    settings = Settings(redis_url=redis_url, max_batch_urls=5, api_max_body_bytes=65_536)
    checked: list[str] = []
    with serving(settings) as base:
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
        for result in schema.get_all_operations():
            operation = result.ok()

            @hypothesis.given(case=operation.as_strategy())
            @hypothesis.settings(
                max_examples=60,
                deadline=None,
                database=None,  # no example database left in the working tree
                suppress_health_check=list(hypothesis.HealthCheck),
            )
            def no_server_error(case: schemathesis.Case) -> None:
                response = case.call(base_url=base)
                assert response.status_code < 500, (
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:500]}"
                )

            no_server_error()
            checked.append(f"{operation.method.upper()} {operation.path}")
    assert "POST /articles" in checked
    assert "GET /articles/{article_id}" in checked
