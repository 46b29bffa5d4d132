"""leadscore: lead scoring as dbt models in your warehouse, run daily by Dagster."""

__version__ = "0.1.0"
