-- Runs once, when the postgres container starts on an empty data volume, as POSTGRES_USER
-- (a superuser) connected to POSTGRES_DB (newswire by default).
--
-- The sink owns the schema: it creates and upgrades its tables with its own migrations on
-- start-up. This file only prepares what a migration run by a non-superuser could not.

-- Trigram indexes for fuzzy lookups of entity names and titles.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Store and compare timestamps in UTC, whatever the server's default.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET timezone TO %L', current_database(), 'UTC');
END
$$;
