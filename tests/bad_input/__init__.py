"""A corpus of bad landing input: one case per kind of broken row or file (cases.py)."""
