"""The Dagster definitions: assets, checks, jobs, schedules, sensors, partitions and resources."""
