"""Asset checks beyond dbt's tests: freshness of raw sources, Great Expectations suites."""
