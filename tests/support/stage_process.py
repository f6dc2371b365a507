"""A stage service run as a process, for shutdown tests: ``python -m tests.support.stage_process``.

It reads ``test.in`` and writes ``test.out`` (group ``slowstage``); each FetchRequest
sleeps for the seconds its URL ends with (``http://example.org/0.5``) before its output,
so a test can have entries that finish within the shutdown grace and entries that do not.
Settings come from the environment like any service (``NEWSWIRE_REDIS_URL``, ...).
"""

from __future__ import annotations

import asyncio
import sys

from newswire_shared.app import ServiceRuntime, create_service_app, serve
from newswire_shared.messages import FetchRequest, RawArticle
from newswire_shared.worker import StageSpec

IN, OUT, GROUP = "test.in", "test.out", "slowstage"


async def sleep_then_echo(req: FetchRequest) -> RawArticle:
    await asyncio.sleep(float(req.url.rsplit("/", 1)[1]))
    return RawArticle(
        article_id=req.article_id, trace_id=req.trace_id, url=req.url,
        canonical_url=req.canonical_url, text="done",
    )  # fmt: skip


def main() -> None:
    runtime = ServiceRuntime(GROUP)
    runtime.add_stage(
        StageSpec(
            service=GROUP,
            input_stream=IN,
            input_model=FetchRequest,
            output_stream=OUT,
            done_stage="fetched",
            process=sleep_then_echo,
            concurrency=4,
        )
    )
    serve(create_service_app(runtime, title="slow stage"), GROUP, int(sys.argv[1]))


if __name__ == "__main__":
    main()
