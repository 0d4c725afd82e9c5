"""Test isolation: offscreen Qt, a temporary FOOTPRINT_HOME, an in-memory keyring, no internet."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Nothing a test does may reach the real data folder, even before a fixture runs.
os.environ["FOOTPRINT_HOME"] = tempfile.mkdtemp(prefix="footprint-tests-")

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_local(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _check(sock: socket.socket, address: object) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_local(host):
        raise OSError(f"tests must not touch the internet (tried to connect to {address!r})")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object):
    if host is not None and not _is_local(host if isinstance(host, str) else str(host)):
        raise OSError(f"tests must not resolve internet names (tried {host!r})")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Every test gets its own data folder."""
    path = tmp_path / "footprint-home"
    monkeypatch.setenv("FOOTPRINT_HOME", str(path))
    return path


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _reset_logging():
    from footprint import logs

    yield
    logs.shutdown_logging()
    logs._known_secrets.clear()  # what one test registered must not protect another


@pytest.fixture
def store(home):
    from footprint.store import Store

    with Store.open(home) as opened:
        yield opened
