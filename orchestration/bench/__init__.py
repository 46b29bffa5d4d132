"""The benchmark behind `leadscore bench` (not part of the product's runtime)."""
