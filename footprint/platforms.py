"""Names of the platforms footprint knows, as people write them."""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "github": "GitHub",
    "gravatar": "Gravatar",
    "hackernews": "Hacker News",
    "hibp": "Have I Been Pwned",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "mastodon": "Mastodon",
    "reddit": "Reddit",
    "stackexchange": "Stack Exchange",
    "tiktok": "TikTok",
    "x": "X (Twitter)",
    "youtube": "YouTube",
}


def display_name(platform: str) -> str:
    return DISPLAY_NAMES.get(platform, platform.replace("_", " ").title())


_ALIASES = {"twitter": "x", "xtwitter": "x", "ycombinator": "hackernews"}


def _key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum()) or name.casefold()


def platform_for(site_name: str) -> str:
    """The platform id an account found on a site is stored under (shared with connectors).

    "GitHub" -> "github", "X (Twitter)" or "Twitter" -> "x"; other sites keep their name
    in lowercase letters and digits ("Last.fm" -> "lastfm").
    """
    key = _key(site_name)
    for platform, display in DISPLAY_NAMES.items():
        if key in (platform, _key(display)):
            return platform
    return _ALIASES.get(key, key)
