"""Helpers shared by Meta's exports (Facebook and Instagram)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from footprint.archives.text import from_epoch, stable_id


def find_coordinates(data: Any) -> Iterator[tuple[float, float]]:
    """Every latitude/longitude pair anywhere in ``data``."""
    if isinstance(data, dict):
        lat = data.get("latitude")
        lon = data.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float) and (lat or lon):
            yield float(lat), float(lon)
        for value in data.values():
            yield from find_coordinates(value)
    elif isinstance(data, list):
        for value in data:
            yield from find_coordinates(value)


def find_upload_ips(data: Any) -> Iterator[tuple[str, str | None]]:
    """(upload IP, when) pairs from media EXIF data."""
    if isinstance(data, dict):
        ip = data.get("upload_ip")
        if isinstance(ip, str) and ip:
            yield ip, from_epoch(data.get("taken_timestamp") or data.get("creation_timestamp"))
        for value in data.values():
            yield from find_upload_ips(value)
    elif isinstance(data, list):
        for value in data:
            yield from find_upload_ips(value)


def first_list(data: Any) -> list[Any]:
    """Meta sometimes wraps a list in an object with one (localised) key."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list):
                return value
    return []


def occurrence_id(seen: Counter[tuple[object, ...]], *key: object) -> str:
    """A stable id from ``key`` plus how many records with that key came before."""
    nth = seen[key]
    seen[key] += 1
    return stable_id(*key, nth)
