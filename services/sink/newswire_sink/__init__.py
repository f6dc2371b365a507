"""newswire sink: stores extracted articles in SQLite or PostgreSQL and serves queries."""
