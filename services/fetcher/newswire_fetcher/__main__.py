"""``python -m newswire_fetcher [--no-worker]``: run the fetcher service."""

import argparse

from newswire_shared.app import serve
from newswire_shared.settings import get_settings

from .service import build_app

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="newswire fetcher: API and fetch worker")
    parser.add_argument(
        "--no-worker", action="store_true", help="serve the API only (scale fetching apart)"
    )
    args = parser.parse_args()
    serve(build_app(worker=not args.no_worker), "fetcher", get_settings().fetcher_port)
