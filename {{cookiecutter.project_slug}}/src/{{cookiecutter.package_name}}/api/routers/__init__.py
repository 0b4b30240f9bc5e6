"""HTTP routes; each module is thin and calls services."""
