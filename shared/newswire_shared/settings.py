"""Settings for every service, read from the environment (prefix ``NEWSWIRE_``) or ``.env``."""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", env_file=".env", extra="ignore")

    # Infrastructure
    redis_url: str = "redis://127.0.0.1:6379/0"
    database_url: str = "sqlite:///./data/newswire.db"

    # Logging
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    # HTTP ports of each service's API (health, readiness, and the fetcher/sink APIs)
    host: str = "127.0.0.1"
    fetcher_port: int = 8000
    cleaner_port: int = 8001
    extractor_port: int = 8002
    sink_port: int = 8003
    fetcher_url: str = "http://127.0.0.1:8000"
    sink_url: str = "http://127.0.0.1:8003"

    # Delivery
    consumer_name: str | None = Field(
        default=None, description="unique per process; default host-pid"
    )
    max_deliveries: int = Field(default=5, ge=1)
    claim_idle_ms: int = Field(default=60_000, ge=100)
    poll_interval_ms: int = Field(default=1_000, ge=10)
    shutdown_grace_s: float = Field(default=10.0, ge=0)
    transient_retry_s: float = Field(
        default=30.0, ge=0, description="how long a TransientError is retried in place"
    )
    retry_backoff_max_s: float = Field(default=5.0, gt=0, description="cap of the retry backoff")
    maintenance_interval_s: float = Field(
        default=30.0, gt=0, description="period of stream trimming and dead-consumer cleanup"
    )
    dead_consumer_idle_ms: int = Field(
        default=3_600_000,
        ge=1_000,
        description="a consumer idle this long, with 0 pending, is removed",
    )
    max_backlog: int = Field(
        default=10_000, ge=1, description="entries waiting in the pipeline before the API says 429"
    )
    backlog_retry_after_s: int = Field(default=5, ge=1, description="Retry-After of a 429")

    # Fetcher
    user_agent: str = "newswire/0.1 (+https://github.com/newswire/newswire)"
    fetch_timeout_s: float = Field(default=20.0, gt=0)
    fetch_connect_timeout_s: float = Field(default=5.0, gt=0)
    fetch_max_bytes: int = Field(default=5_000_000, gt=0)
    fetch_max_redirects: int = Field(default=5, ge=0)
    fetch_concurrency: int = Field(default=8, ge=1, description="requests at once, all hosts")
    fetch_max_pending: int = Field(
        default=256,
        ge=1,
        description="fetch jobs one fetcher holds at once, most waiting for their host's turn",
    )
    max_batch_urls: int = Field(default=100, ge=1)
    max_text_chars: int = Field(default=2_000_000, ge=1)
    # Fetcher safety (SSRF guard, politeness, API access). Comma-separated strings, not
    # JSON: they are written by hand in env files. The fetcher parses them at startup
    # (newswire_fetcher.guard) and refuses to start on a bad entry.
    fetch_allowed_networks: str = Field(
        default="", description="CIDRs the SSRF guard lets through (private deployments, tests)"
    )
    fetch_resolve_overrides: str = Field(
        default="", description="host=ip[|ip],... answered instead of DNS (still checked)"
    )
    fetch_host_rate: float = Field(
        default=1.0, ge=0, description="requests/s per host, 0: no limit"
    )
    fetch_host_concurrency: int = Field(default=2, ge=1)
    robots_cache_ttl_s: float = Field(default=3600.0, ge=0)
    api_key: SecretStr | None = Field(default=None, description="when set, writes need it")
    api_max_body_bytes: int = Field(default=12_000_000, ge=1_024)

    # Extractor
    spacy_model: str = "en_core_web_sm"

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_api_key_is_none(cls, value: object) -> object:
        # Compose passes NEWSWIRE_API_KEY="" when the user set none: that means "no key",
        # not "the key is the empty string" (which no client could send).
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def consumer(self, service: str) -> str:
        """A consumer name unique to this process, so replicas never share pending entries."""
        return self.consumer_name or f"{service}-{socket.gethostname()}-{os.getpid()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
