"""``python -m newswire_sink``: run the sink service."""

from newswire_shared.app import serve
from newswire_shared.settings import get_settings

from .service import build_app

if __name__ == "__main__":
    serve(build_app(), "sink", get_settings().sink_port)
