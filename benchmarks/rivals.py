"""Sherlock and Maigret, run the way a user would, against the loopback site simulator.

The rivals live in their own venv (`ensure_rivals_venv`) so they never touch footprint's
dependencies. Each run is one fresh CLI process, measured from outside:

* wall time: `time.perf_counter` around spawn .. reap;
* CPU and peak RSS: `os.wait4` rusage of the tool's process (ru_utime + ru_stime, and
  ru_maxrss in KiB). That rusage also covers any descendants the tool itself reaped; neither
  tool spawns processes (both are threads / asyncio in one interpreter).

Offline and fair:

* Sherlock: `--json FILE --ignore-exclusions` (no manifest or exclusions download), its own
  thread pool (20 workers, hard-coded), `--timeout T`.
* Maigret: `--db FILE --no-autoupdate` (no database update), `-a -n 100 --retries 1
  --no-recursion --no-extracting --timeout T`, HOME pointed into the work dir so no user
  settings or caches leak in.
* Both: HTTP(S)_PROXY point at a closed loopback port and NO_PROXY lists the simulated hosts,
  so the only non-simulator requests they make (Sherlock's GitHub release check, anything
  unforeseen) fail at once with "connection refused" instead of waiting on DNS or the
  internet, while the simulated sites are reached directly.

A run that outlives `wall_limit` (default 120 s + 20 x timeout) or whose RSS passes
`rss_limit_mb` (default 4 GiB) is killed (its whole process group); sites it had not
reported by then count as "unknown".

Translation of the WhatsMyName kinds (see `sherlock_entry` / `maigret_entry`):

    kind          Sherlock                            Maigret
    status code   status_code, errorCode=m_code, HEAD status_code (GET)
    page text     message, errorMsg=m_string          message, presenseStrs=[e_string],
                                                      absenceStrs=[m_string]
    redirect      response_url (redirects off)        response_url (redirects off),
                                                      presenseStrs=[e_string]

Sherlock never checks e_string and has no "unknown" for an answer it got (a 429/503 or a
challenge page is read as Claimed or Available); Maigret reads 401/403/429/5xx as errors and
retries them (`--retries 1`, immediately, ignoring Retry-After).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SHERLOCK_VERSION = "0.16.2"  # sherlock-project on PyPI (0.16.1 was never published)
MAIGRET_VERSION = "0.6.6"  # maigret on PyPI

MAIGRET_CONNECTIONS = 100
MAIGRET_RETRIES = 1
RSS_LIMIT_MB = 4096.0  # a run whose RSS passes this is killed (endless bodies)

_PINS = f"sherlock-project=={SHERLOCK_VERSION}\nmaigret=={MAIGRET_VERSION}\n"
_PROXY_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
)


@dataclass
class RunResult:
    tool: str
    wall_s: float
    cpu_s: float  # user+sys of the tool's process tree
    peak_rss_mb: float
    verdicts: dict[str, str] = field(default_factory=dict)  # site -> found | missing | unknown
    note: str = ""


# ---------------------------------------------------------------------------- venv


def ensure_rivals_venv(path: Path) -> Path:
    """Create (once) a separate venv at `path` with pinned sherlock-project and maigret.

    Returns its bin dir. A marker file records the pins, so a venv built for other versions
    is rebuilt in place.
    """
    path = Path(path)
    bin_dir = path / "bin"
    marker = path / ".rivals-pins"
    tools_ok = (bin_dir / "sherlock").exists() and (bin_dir / "maigret").exists()
    if tools_ok and marker.exists() and marker.read_text() == _PINS:
        return bin_dir
    if not (bin_dir / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"sherlock-project=={SHERLOCK_VERSION}",
            f"maigret=={MAIGRET_VERSION}",
        ],
        check=True,
    )
    marker.write_text(_PINS)
    return bin_dir


# ---------------------------------------------------------------------------- catalogs


def _origin(uri: str) -> str:
    parts = urlsplit(uri.replace("{account}", "x"))
    return f"{parts.scheme}://{parts.netloc}"


def _code(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _detection(site: dict[str, Any]) -> str:
    """Which of the shared detection models fits a WhatsMyName entry.

    A 3xx m_code is a redirect site (judge the first response, redirects off); a non-empty
    m_string (or e_string on a site whose codes cannot tell) is a page-text site; otherwise
    the status code alone decides.
    """
    e_code = _code(site.get("e_code"), 200)
    m_code = _code(site.get("m_code"), 404)
    if 300 <= m_code < 400:
        return "response_url"
    if site.get("m_string") or (site.get("e_string") and e_code == m_code):
        return "message"
    return "status_code"


def _known(site: dict[str, Any]) -> str:
    known = site.get("known") or []
    return str(known[0]) if known else "placeholder"


def _post_payload(site: dict[str, Any]) -> dict[str, Any] | None:
    """A WhatsMyName `post_body` that is a JSON object (the only kind both rivals can send)."""
    body = site.get("post_body")
    if body is None:
        return None
    try:
        payload = json.loads(str(body))
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return value


def _maigret_template(text: str) -> str:
    """`{account}` -> `{username}`, other braces escaped (Maigret fills with str.format)."""
    return text.replace("{", "{{").replace("}", "}}").replace("{{account}}", "{username}")


def sherlock_entry(site: dict[str, Any], request_method: str | None = None) -> dict[str, Any]:
    """One Sherlock data.json entry for a WhatsMyName site.

    Sherlock has no presence string: "message" means "Claimed unless errorMsg is in the
    body", "status_code" means "Claimed unless the code is in errorCode or not 2xx" (sent as
    HEAD unless `request_method` says otherwise), and "response_url" disables redirects and
    means "Claimed iff 2xx". A JSON `post_body` becomes request_method POST with
    request_payload (sent as JSON).
    """
    uri = str(site["uri_check"])
    pretty = str(site.get("uri_pretty") or uri)
    kind = _detection(site)
    if kind == "message" and not site.get("m_string"):
        kind = "status_code"  # presence-only site: Sherlock has no presence string
    entry: dict[str, Any] = {
        "url": pretty.replace("{account}", "{}"),
        "urlMain": _origin(uri) + "/",
        "username_claimed": _known(site),
        "errorType": kind,
    }
    if pretty != uri:
        entry["urlProbe"] = uri.replace("{account}", "{}")
    m_code = _code(site.get("m_code"), 404)
    if kind == "message":
        entry["errorMsg"] = str(site["m_string"])
    elif kind == "status_code":
        if not 200 <= m_code < 300:
            entry["errorCode"] = m_code
    else:
        entry["errorUrl"] = _origin(uri) + "/"
    if site.get("headers"):
        entry["headers"] = dict(site["headers"])
    if request_method:
        entry["request_method"] = request_method
    payload = _post_payload(site)
    if payload is not None:
        entry["request_method"] = "POST"
        entry["request_payload"] = _map_strings(payload, lambda t: t.replace("{account}", "{}"))
    return entry


def write_sherlock_catalog(
    sites: list[dict[str, Any]], path: Path, *, request_method: str | None = None
) -> None:
    """Write a Sherlock data.json (for `--json FILE`) translating the WhatsMyName sites."""
    data = {str(s["name"]): sherlock_entry(s, request_method) for s in sites}
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


def maigret_entry(site: dict[str, Any]) -> dict[str, Any]:
    """One Maigret database entry for a WhatsMyName site.

    Maigret's "message" is "Claimed iff some presenseStr and no absenceStr is in the body",
    "status_code" is "Claimed iff 2xx", "response_url" is "redirects off, Claimed iff 2xx and
    some presenseStr". Responses 401/403/429/5xx are errors (Unknown) in every mode. A JSON
    `post_body` becomes requestMethod POST with requestPayload (sent as JSON when the site's
    Content-Type header is not form-encoded).
    """
    uri = str(site["uri_check"])
    pretty = str(site.get("uri_pretty") or uri)
    kind = _detection(site)
    entry: dict[str, Any] = {
        "url": _maigret_template(pretty),
        "urlMain": _origin(uri),
        "checkType": kind,
        "usernameClaimed": _known(site),
        "usernameUnclaimed": "noonewouldeverusethis7",
    }
    if pretty != uri:
        entry["urlProbe"] = _maigret_template(uri)
    payload = _post_payload(site)
    if payload is not None:
        entry["requestMethod"] = "POST"
        entry["requestPayload"] = _map_strings(payload, _maigret_template)
    if kind in ("message", "response_url") and site.get("e_string"):
        entry["presenseStrs"] = [str(site["e_string"])]
    if kind == "message" and site.get("m_string"):
        entry["absenceStrs"] = [str(site["m_string"])]
    if site.get("headers"):
        entry["headers"] = dict(site["headers"])
    return entry


def write_maigret_db(sites: list[dict[str, Any]], path: Path) -> None:
    """Write a Maigret database (for `--db FILE`) translating the WhatsMyName sites."""
    data = {
        "sites": {str(s["name"]): maigret_entry(s) for s in sites},
        "engines": {},
        "tags": [],
    }
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")


# ---------------------------------------------------------------------------- running


@dataclass
class _Proc:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    killed: str  # why the watchdog killed it, or ""


def _closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _offline_env(sites: list[dict[str, Any]], home: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
    dead = f"http://127.0.0.1:{_closed_port()}"
    hosts = sorted({urlsplit(_origin(str(s["uri_check"]))).hostname or "" for s in sites} - {""})
    # requests understands the CIDR entry; aiohttp (urllib rules) needs the exact hosts.
    no_proxy = ",".join(["localhost", "127.0.0.1", "127.0.0.0/8", *hosts])
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = env[name.lower()] = dead
    env["NO_PROXY"] = env["no_proxy"] = no_proxy
    env["PYTHONUNBUFFERED"] = "1"
    env["NO_COLOR"] = "1"
    env["TERM"] = "dumb"
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        env["HOME"] = str(home)
    return env


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _run_measured(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    stdout: Path,
    stderr: Path,
    wall_limit: float,
    rss_limit_mb: float,
) -> _Proc:
    """Spawn `cmd` in its own process group and reap it with wait4.

    A watchdog kills the group at `wall_limit` seconds or once the tool's RSS passes
    `rss_limit_mb` (an endless body is buffered whole by Sherlock and would eat the machine).
    """
    done = threading.Event()
    killed: list[str] = []
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            start_new_session=True,
        )  # fmt: skip

        def watchdog() -> None:
            deadline = start + wall_limit
            while not done.wait(0.05):
                if time.perf_counter() >= deadline:
                    reason = f"wall limit {wall_limit:g} s"
                elif _rss_mb(proc.pid) > rss_limit_mb:
                    reason = f"RSS limit {rss_limit_mb:g} MB"
                else:
                    continue
                killed.append(reason)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                return

        guard = threading.Thread(target=watchdog, daemon=True)
        guard.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            done.set()
            guard.join()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # A straggler left in the group (none expected) must not outlive the run.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return _Proc(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024.0,
        exit_code=proc.returncode,
        killed=killed[0] if killed else "",
    )


def _default_wall_limit(timeout: float) -> float:
    return 120.0 + 20.0 * timeout


def _verdict(state: str) -> str:
    return {"claimed": "found", "available": "missing"}.get(state.strip().lower(), "unknown")


def _read_csv_states(path: Path) -> dict[str, str] | None:
    if not path.exists():
        return None
    with path.open(newline="", encoding="utf-8") as f:
        return {row["name"]: row["exists"] for row in csv.DictReader(f) if row.get("name")}


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\].*?(?:\x1b\\|\x07)")


def _stdout_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return [_ANSI.sub("", part).strip() for line in text.splitlines() for part in line.split("\r")]


def _tail(path: Path, n: int = 3) -> str:
    lines = [ln for ln in _stdout_lines(path) if ln]
    return " | ".join(lines[-n:])


def _finish(
    tool: str,
    proc: _Proc,
    names: list[str],
    states: dict[str, str],
    source: str,
    extra: list[str],
) -> RunResult:
    verdicts = {name: _verdict(states.get(name, "")) for name in names}
    notes = [f"exit={proc.exit_code}", f"verdicts from {source}", *extra]
    if proc.killed:
        notes.insert(0, f"KILLED at {proc.killed}")
    unreported = sum(1 for name in names if name not in states)
    if unreported:
        notes.append(f"{unreported} site(s) not reported")
    return RunResult(
        tool=tool,
        wall_s=proc.wall_s,
        cpu_s=proc.cpu_s,
        peak_rss_mb=proc.peak_rss_mb,
        verdicts=verdicts,
        note="; ".join(notes),
    )


def sherlock_command(bin_dir: Path, username: str, catalog: Path, timeout: float) -> list[str]:
    return [
        str(Path(bin_dir) / "sherlock"),
        "--json",
        str(catalog),
        "--ignore-exclusions",
        "--timeout",
        str(timeout),
        "--print-all",
        "--csv",
        "--no-color",
        "--",
        username,
    ]


def run_sherlock(
    bin_dir: Path,
    username: str,
    sites: list[dict[str, Any]],
    workdir: Path,
    timeout: float,
    *,
    wall_limit: float | None = None,
    rss_limit_mb: float = RSS_LIMIT_MB,
    request_method: str | None = None,
) -> RunResult:
    """Run the Sherlock CLI once over `sites`; verdicts from its `--csv --print-all` report.

    Sherlock writes `<username>.csv` in its working directory; if the run died before that,
    the `--print-all` stdout lines are used instead.
    """
    workdir = Path(workdir) / "sherlock"
    workdir.mkdir(parents=True, exist_ok=True)
    catalog = workdir / "data.json"
    write_sherlock_catalog(sites, catalog, request_method=request_method)
    report = workdir / f"{username}.csv"
    report.unlink(missing_ok=True)
    stdout, stderr = workdir / "stdout.txt", workdir / "stderr.txt"
    proc = _run_measured(
        sherlock_command(bin_dir, username, catalog, timeout),
        workdir,
        _offline_env(sites),
        stdout,
        stderr,
        wall_limit if wall_limit is not None else _default_wall_limit(timeout),
        rss_limit_mb,
    )
    names = [str(s["name"]) for s in sites]
    extra: list[str] = []
    states = _read_csv_states(report)
    source = "csv"
    if states is None:
        states, source = _stdout_states(stdout, names, "Not Found!"), "stdout"
        extra.append(f"stderr: {_tail(stderr)}")
    return _finish("sherlock", proc, names, states, source, extra)


def _stdout_states(stdout: Path, names: list[str], not_found: str) -> dict[str, str]:
    """Both tools print `[+] name: url` for Claimed and `[-] name: <not_found>` for Available;
    any other `[-]` or `[?]` line is Unknown (retries rewrite a site's line: the last wins)."""
    known = set(names)
    states: dict[str, str] = {}
    for line in _stdout_lines(stdout):
        m = re.match(r"\[([+?-])\] (.+?): ?(.*)$", line)
        if not m or m.group(2) not in known:
            continue
        mark, name, rest = m.groups()
        if mark == "+":
            states[name] = "Claimed"
        elif mark == "-" and rest.strip().startswith(not_found):
            states[name] = "Available"
        else:
            states[name] = "Unknown"
    return states


def maigret_command(
    bin_dir: Path, username: str, db: Path, timeout: float, outdir: Path
) -> list[str]:
    return [
        str(Path(bin_dir) / "maigret"),
        "--db",
        str(db),
        "--no-autoupdate",
        "-a",
        "-n",
        str(MAIGRET_CONNECTIONS),
        "--retries",
        str(MAIGRET_RETRIES),
        "--timeout",
        str(timeout),
        "--no-recursion",
        "--no-extracting",
        "--no-color",
        "--no-progressbar",
        "--print-not-found",
        "--print-errors",
        "-C",
        "-fo",
        str(outdir),
        "--",
        username,
    ]


def run_maigret(
    bin_dir: Path,
    username: str,
    sites: list[dict[str, Any]],
    workdir: Path,
    timeout: float,
    *,
    wall_limit: float | None = None,
    rss_limit_mb: float = RSS_LIMIT_MB,
) -> RunResult:
    """Run the Maigret CLI once over `sites`; verdicts from its `-C` CSV report.

    The CSV lists every site with Claimed / Available / Unknown / Illegal; if the run died
    before writing it, the `--print-not-found --print-errors` stdout lines are used instead.
    """
    workdir = Path(workdir) / "maigret"
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "db.json"
    write_maigret_db(sites, db)
    outdir = workdir / "reports"
    outdir.mkdir(exist_ok=True)
    report = outdir / f"report_{username.replace('/', '_')}.csv"
    report.unlink(missing_ok=True)
    stdout, stderr = workdir / "stdout.txt", workdir / "stderr.txt"
    proc = _run_measured(
        maigret_command(bin_dir, username, db, timeout, outdir),
        workdir,
        _offline_env(sites, home=workdir / "home"),
        stdout,
        stderr,
        wall_limit if wall_limit is not None else _default_wall_limit(timeout),
        rss_limit_mb,
    )
    names = [str(s["name"]) for s in sites]
    extra: list[str] = []
    out_text = "\n".join(_stdout_lines(stdout))
    if "Falling back to bundled database" in out_text:
        # It scanned Maigret's real site list instead of ours: nothing here is comparable.
        extra.append("REJECTED: maigret fell back to its bundled database")
        return _finish("maigret", proc, names, {}, "nothing", extra)
    states = _read_csv_states(report)
    source = "csv"
    if states is None:
        states, source = _stdout_states(stdout, names, "Not found!"), "stdout"
        extra.append(f"stderr: {_tail(stderr)}")
    return _finish("maigret", proc, names, states, source, extra)
