"""The reference scorer: an independent implementation of docs/rules.md in one DuckDB query,
the test oracle of the dbt scoring models (not part of the product's runtime)."""
