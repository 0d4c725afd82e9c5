"""The checklist: what an employer's screening would flag, personal-data leaks,
protected-trait exposure and loose settings, with evidence and a score."""

from footprint.checklist.engine import Checker, Draft, Person
from footprint.checklist.rules import RuleSet, load_ruleset
from footprint.checklist.scan import ScanProgress, ScanSummary, scan

__all__ = [
    "Checker",
    "Draft",
    "Person",
    "RuleSet",
    "ScanProgress",
    "ScanSummary",
    "load_ruleset",
    "scan",
]
