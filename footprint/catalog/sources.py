"""Which catalogs a sweep uses: footprint's own, the cached WhatsMyName file, or a file.

footprint's bundled catalog (``resources/catalog/footprint-sites.json``) is always there.
``footprint catalog update`` downloads WhatsMyName's ``wmn-data.json`` into the data
folder as a separate file (it is CC BY-SA 4.0: kept apart from our code and data, shown
with its attribution), validated before it atomically replaces the previous copy.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from footprint.catalog.schema import Catalog, CatalogError, load_catalog, merge, parse_bytes
from footprint.errors import FootprintError
from footprint.paths import resources_dir
from footprint.store.database import utcnow

if TYPE_CHECKING:
    from footprint.net import NetworkOptions
    from footprint.store import Store

DEFAULT_UPSTREAM_URL = (
    "https://raw.githubusercontent.com/WebBreacher/WhatsMyName/main/wmn-data.json"
)
URL_KEY = "catalog.url"
UPSTREAM_FILE = "wmn-data.json"
UPSTREAM_META = "wmn-data.meta.json"
MAX_DOWNLOAD = 20 * 1024 * 1024
WMN_ATTRIBUTION = (
    "Site data from WhatsMyName (https://github.com/WebBreacher/WhatsMyName) by Micah "
    "Hoffman and its contributors, licensed CC BY-SA 4.0 "
    "(https://creativecommons.org/licenses/by-sa/4.0/). footprint keeps it unchanged, "
    "in its own file."
)


class CatalogUpdateError(FootprintError):
    title = "The site catalog could not be updated"


def bundled_path() -> Path:
    return resources_dir() / "catalog" / "footprint-sites.json"


def catalog_dir(home: Path) -> Path:
    return home / "catalog"


def upstream_path(home: Path) -> Path:
    return catalog_dir(home) / UPSTREAM_FILE


def load_bundled() -> Catalog:
    return load_catalog(bundled_path(), label="footprint's site catalog")


def load_upstream(home: Path) -> Catalog | None:
    path = upstream_path(home)
    if not path.exists():
        return None
    return load_catalog(path, label="WhatsMyName (cached copy)")


def default_catalog(home: Path, files: list[Path] | None = None) -> Catalog:
    """The catalog a sweep uses.

    With ``files``: exactly those, merged in order.  Otherwise footprint's own catalog,
    then the cached WhatsMyName copy when there is one (its fresher checks win; our notes
    on deletion and privacy pages stay attached to the sites we know).
    """
    if files:
        return merge([load_catalog(f) for f in files])
    catalogs = [load_bundled()]
    upstream = load_upstream(home)
    if upstream is not None:
        catalogs.append(upstream)
    return merge(catalogs)


@dataclass(frozen=True)
class UpdateResult:
    url: str
    sites: int
    previous: int | None
    added: list[str]
    removed: list[str]
    sha256: str
    path: Path


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def configured_url(store: Store | None) -> str:
    from footprint.store.database import get_setting

    return (get_setting(store, URL_KEY) if store is not None else None) or DEFAULT_UPSTREAM_URL


async def download(url: str, options: NetworkOptions, *, timeout: float = 60.0) -> bytes:
    """GET ``url`` through the person's proxy, refusing bodies over :data:`MAX_DOWNLOAD`."""
    import httpx

    from footprint.net import async_client

    try:
        async with (
            async_client(options, max_connections=2, timeout=timeout) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise CatalogUpdateError(
                    f"The catalog server answered {response.status_code} for {url}.",
                    hint="Check the address (footprint catalog update --url URL) "
                    "and try again later. Your current catalog is unchanged.",
                )
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD:
                    raise CatalogUpdateError(
                        f"The file at {url} is larger than "
                        f"{MAX_DOWNLOAD // (1024 * 1024)} MB; that is not a catalog.",
                        hint="Your current catalog is unchanged.",
                    )
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise CatalogUpdateError(
            f"Could not download the catalog from {url}: {type(exc).__name__}"
            f"{': ' + str(exc) if str(exc) else ''}.",
            hint="Check your connection or proxy and try again. Your current catalog is unchanged.",
        ) from None


def install_upstream(home: Path, raw: bytes, url: str) -> UpdateResult:
    """Validate downloaded bytes and atomically replace the cached WhatsMyName copy."""
    try:
        fresh = parse_bytes(raw, label=f"the file downloaded from {url}")
    except CatalogError as exc:
        raise CatalogUpdateError(
            exc.message, hint="Your current catalog is unchanged.", details=exc.details
        ) from None
    if not fresh.sites:
        raise CatalogUpdateError(
            f"The file downloaded from {url} lists no sites.",
            hint="Your current catalog is unchanged.",
        )
    previous: Catalog | None
    try:
        previous = load_upstream(home)
    except CatalogError:
        previous = None  # a damaged cached copy is simply replaced
    old_names = {s.name for s in previous.sites} if previous else set()
    new_names = {s.name for s in fresh.sites}
    path = upstream_path(home)
    _atomic_write(path, raw)
    source = fresh.sources[0]
    meta = {
        "url": url,
        "fetched_at": utcnow(),
        "sha256": source.sha256,
        "sites": len(fresh.sites),
        "license": list(source.license),
        "authors": list(source.authors),
        "attribution": WMN_ATTRIBUTION,
    }
    _atomic_write(catalog_dir(home) / UPSTREAM_META, json.dumps(meta, indent=2).encode())
    return UpdateResult(
        url=url,
        sites=len(fresh.sites),
        previous=len(previous.sites) if previous else None,
        added=sorted(new_names - old_names) if previous else [],
        removed=sorted(old_names - new_names),
        sha256=source.sha256,
        path=path,
    )


def upstream_info(home: Path) -> dict[str, object] | None:
    meta = catalog_dir(home) / UPSTREAM_META
    if not meta.exists() or not upstream_path(home).exists():
        return None
    try:
        return dict(json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {"url": "unknown", "attribution": WMN_ATTRIBUTION}
