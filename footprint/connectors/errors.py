"""What can go wrong talking to a platform's API, in words a person can act on."""

from __future__ import annotations

from footprint.errors import FootprintError
from footprint.platforms import display_name


class ConnectorError(FootprintError):
    """A platform's API did not give footprint what it needed."""

    title = "The platform did not answer as expected"


class ReconnectNeeded(ConnectorError):
    """The saved sign-in no longer works (expired, revoked, password changed)."""

    title = "Please reconnect"

    def __init__(self, platform: str, handle: str, *, details: str | None = None) -> None:
        name = display_name(platform)
        super().__init__(
            f"{name} no longer accepts footprint's sign-in for {handle} "
            "(it expired or was revoked). Nothing was lost: what footprint already "
            "fetched is kept, and the next sync continues where this one stopped.",
            hint=f"Reconnect it: footprint connect {platform} … (or Accounts → Connect).",
            details=details,
        )
        self.platform = platform
        self.handle = handle


class AccountNotFound(ConnectorError):
    title = "Account not found"


class NotThatPlatform(ConnectorError):
    """The address answers, but not as the platform would (e.g. not a Mastodon server)."""

    title = "That is not the right kind of server"


class RateLimited(ConnectorError):
    """The platform asks footprint to wait longer than a sync should block."""

    title = "The platform asks footprint to slow down"

    def __init__(self, platform: str, resume_at: str, *, details: str | None = None) -> None:
        super().__init__(
            f"{display_name(platform)} asks footprint to wait until {resume_at} before "
            "asking again. What was fetched so far is saved.",
            hint="Run the sync again after that time; it continues where it stopped.",
            details=details,
        )
        self.resume_at = resume_at


class PermissionMissing(ConnectorError):
    title = "footprint was not allowed to do that"
