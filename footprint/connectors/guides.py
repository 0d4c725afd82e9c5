"""How to connect each platform (what footprint reads and changes, which secret it needs).

Read from ``resources/guides/connect.toml`` and validated on load: an unknown or missing
field, a platform without a connector, a secret kind other than none/optional/oauth, or a
page that is not https is reported at once in a :class:`~footprint.errors.ConfigError`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from footprint.errors import ConfigError
from footprint.paths import resources_dir

_REQUIRED = ("platform", "who", "example", "reads", "changes", "secret", "secret_label")
_OPTIONAL = ("secret_url", "secret_help")
SECRET_KINDS = ("none", "optional", "oauth", "app")


@dataclass(frozen=True)
class ConnectGuide:
    platform: str
    who: str
    example: str
    reads: str
    changes: str
    secret: str
    secret_label: str
    secret_url: str = ""
    secret_help: str = ""


def parse_connect_guides(text: str, where: str = "connect.toml") -> list[ConnectGuide]:
    from footprint.connectors import CONNECTORS

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    problems: list[str] = []
    guides: list[ConnectGuide] = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("connect") or [], start=1):
        name = f"{where} entry {index}"
        if not isinstance(entry, dict):
            problems.append(f"{name}: not a table")
            continue
        unknown = set(entry) - set(_REQUIRED) - set(_OPTIONAL)
        missing = [key for key in _REQUIRED if key not in entry]
        bad = [key for key, value in entry.items() if not isinstance(value, str)]
        problems += [f"{name}: unknown field {key!r}" for key in sorted(unknown)]
        problems += [f"{name}: missing {key!r}" for key in missing]
        problems += [f"{name}: {key!r} must be text" for key in bad]
        if unknown or missing or bad:
            continue
        platform = entry["platform"]
        if platform not in CONNECTORS:
            problems.append(f"{name}: no connector for platform {platform!r}")
        if platform in seen:
            problems.append(f"{name}: platform {platform!r} is listed twice")
        seen.add(platform)
        if entry["secret"] not in SECRET_KINDS:
            problems.append(f"{name}: secret must be one of {', '.join(SECRET_KINDS)}")
        if entry["secret"] in ("optional", "app") and not entry["secret_label"]:
            problems.append(f"{name}: a {entry['secret']} secret needs a secret_label")
        url = entry.get("secret_url", "")
        if url and urlsplit(url).scheme != "https":
            problems.append(f"{name}: secret_url must be an https address")
        guides.append(ConnectGuide(**entry))
    if not guides and not problems:
        problems.append(f"{where}: no [[connect]] entries")
    if problems:
        raise ConfigError(
            f"The connection guides ({where}) have {len(problems)} problem(s): "
            + "; ".join(problems[:20])
        )
    return guides


@lru_cache(maxsize=1)
def load_connect_guides(path: Path | None = None) -> tuple[ConnectGuide, ...]:
    source = path or resources_dir() / "guides" / "connect.toml"
    return tuple(parse_connect_guides(source.read_text(encoding="utf-8"), source.name))
