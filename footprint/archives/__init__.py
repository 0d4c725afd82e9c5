"""Importing the data exports platforms give people (the only complete record of a history)."""

from footprint.archives.base import ImportProgress
from footprint.archives.engine import ImportSummary, import_paths
from footprint.archives.errors import ArchiveError
from footprint.archives.source import Limits

__all__ = ["ArchiveError", "ImportProgress", "ImportSummary", "Limits", "import_paths"]
