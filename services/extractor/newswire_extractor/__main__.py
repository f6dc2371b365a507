"""``python -m newswire_extractor``: run the extractor service."""

from newswire_shared.app import serve
from newswire_shared.settings import get_settings

from .service import build_app

if __name__ == "__main__":
    serve(build_app(), "extractor", get_settings().extractor_port)
