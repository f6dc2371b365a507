"""``python -m newswire_cleaner``: run the cleaner service."""

from newswire_shared.app import serve
from newswire_shared.settings import get_settings

from .service import build_app

if __name__ == "__main__":
    serve(build_app(), "cleaner", get_settings().cleaner_port)
