"""Cleanup: guided walk-throughs for fixing findings (automated fixes join with the connectors)."""
