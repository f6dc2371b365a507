"""``python -m newswire_cli``: the same as the ``newswire`` command."""

from .main import main

main()
