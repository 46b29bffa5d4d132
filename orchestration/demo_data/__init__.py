"""The deterministic demo-data generator for the landing contract."""
