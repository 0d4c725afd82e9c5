"""Names of the platforms footprint knows, as people write them."""

from __future__ import annotations

DISPLAY_NAMES: dict[str, str] = {
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "github": "GitHub",
    "gravatar": "Gravatar",
    "hackernews": "Hacker News",
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
