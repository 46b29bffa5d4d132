"""Assets: raw tables (ingest), dbt models and seeds, the serving copy."""
