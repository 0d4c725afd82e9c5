"""Loopback servers for the exposure checks: a fake Have I Been Pwned and a fake Gravatar."""

from tests.connectors.fakes import fake_gravatar  # noqa: F401
from tests.exposure.fakes import fake_hibp  # noqa: F401
