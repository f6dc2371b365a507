"""Alembic scripts of the sink (shipped as package data; run by ``newswire_sink.db.migrate``)."""
