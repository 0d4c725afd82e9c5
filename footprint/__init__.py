"""footprint: audit your own digital footprint and clean it up, on your own machine."""

__version__ = "0.1.0"
APP_NAME = "footprint"
