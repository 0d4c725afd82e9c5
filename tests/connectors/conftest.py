"""Loopback servers for the connector tests: own fakes, mastodon-mock, a real Bluesky PDS."""

from tests.connectors.fakes import (  # noqa: F401
    fake_github,
    fake_gravatar,
    fake_hn,
    fake_reddit,
    fake_stackexchange,
)
