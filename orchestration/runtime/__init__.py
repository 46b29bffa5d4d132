"""Shared plumbing: configuration, the run lock, running dbt, launching the job, and
every use of a library's private internals (internals.py)."""
