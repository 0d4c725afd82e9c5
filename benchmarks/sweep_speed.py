"""Sweep benchmark: footprint vs Sherlock vs Maigret on one loopback site simulator.

    python benchmarks/sweep_speed.py [--sites 600] [--hostile] [--rivals] [--timeout 5]

The simulator (tests/sitesim.py, in its own process) puts every site on its own loopback
address (127.20.x.y), answering after a lognormal latency (median 150 ms) like a real site
of its kind: status-code, page-text, redirect and POST-API sites.  ``--hostile`` adds sites
that hang, reset, throttle with 429 + Retry-After, fail with 503 then recover, stream an
endless body, redirect to themselves, "find" every username, or show a challenge page.

Each tool runs as a fresh process, measured from outside with ``os.wait4``: wall time, CPU
(user + system) and peak RSS.  footprint also reports the CPU of the sweep alone (without
interpreter start-up and imports).  Verdicts are compared with the simulator's truth.  The
floor no sweep can beat is the slowest site's latency; the ratio to it is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.sitesim import SimSite, catalog_document, sites_to_json  # noqa: E402

USERNAME = "casey_rivera"
PORT = 18080


def build_sites(count: int, hostile: bool, seed: int = 7) -> list[SimSite]:
    rng = random.Random(seed)
    mix = ["status"] * 50 + ["text"] * 30 + ["redirect"] * 14 + ["post"] * 4 + ["code", "strip"]
    sites: list[SimSite] = []
    for i in range(count):
        kind = mix[i % len(mix)]
        users = {"someone_else", "c.asey_rivera" if kind == "strip" else "x"}
        if rng.random() < 0.4:
            users.add(USERNAME)
        latency = min(3.0, rng.lognormvariate(math.log(0.150), 0.7))
        host = f"127.20.{i // 250}.{i % 250 + 1}"
        sites.append(SimSite(f"site{i:04d}-{kind}", kind, frozenset(users), host, PORT, latency))
    if hostile:
        kinds = ["hang", "reset", "throttle", "flaky", "endless", "loop", "broken", "protected"]
        for j, kind in enumerate(kinds * 3):
            users = frozenset({USERNAME} if j % 2 == 0 else {"other"})
            host = f"127.21.0.{j + 1}"
            sites.append(SimSite(f"hostile{j:02d}-{kind}", kind, users, host, PORT, 0.1))
    return sites


def truth(sites: list[SimSite]) -> dict[str, str]:
    return {s.name: s.truth(USERNAME) for s in sites}


class SimProcess:
    def __init__(self, sites: list[SimSite], workdir: Path) -> None:
        spec = workdir / "sim.json"
        spec.write_text(json.dumps(sites_to_json(sites)))
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "sitesim.py"), str(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise SystemExit("the simulator did not start")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def measure(cmd: list[str], env: dict[str, str], limit: float) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out_chunks: list[bytes] = []
    import threading

    def pump() -> None:
        assert proc.stdout is not None
        out_chunks.append(proc.stdout.read())

    def drain() -> None:
        assert proc.stderr is not None
        proc.stderr.read()

    threads = [threading.Thread(target=pump), threading.Thread(target=drain)]
    for t in threads:
        t.start()
    deadline = start + limit
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
        time.sleep(0.005)
    wall = time.perf_counter() - start
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "stdout": b"".join(out_chunks).decode("utf-8", "replace"),
        "code": proc.returncode,
    }


def run_footprint(
    catalog: Path,
    workdir: Path,
    timeout: float,
    concurrency: int,
    home: Path,
    transport: str = "auto",
) -> dict[str, Any]:
    env = dict(os.environ, FOOTPRINT_HOME=str(home), PYTHONPATH=str(ROOT))
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(catalog),
        "--timeout",
        str(timeout),
        "--concurrency",
        str(concurrency),
        "--transport",
        transport,
    ]
    result = measure(cmd, env, limit=timeout * 4 + 30)
    lines = [json.loads(x) for x in result["stdout"].splitlines() if x.startswith("{")]
    summary = next((x for x in lines if "sweep_cpu_s" in x), {})
    result["verdicts"] = {x["site"]: x["status"] for x in lines if "site" in x}
    result["reasons"] = {x["site"]: x["reason"] for x in lines if "site" in x}
    result.update(summary)
    return result


def child(catalog_path: str, timeout: float, concurrency: int, transport: str) -> None:
    """Runs inside the measured process: the sweep through footprint's own API."""
    from footprint.catalog.schema import load_catalog
    from footprint.discovery.engine import SweepOptions
    from footprint.discovery.sweep import sweep
    from footprint.store import Store

    catalog = load_catalog(catalog_path)
    store = Store.open()
    options = SweepOptions(timeout=timeout, concurrency=concurrency, transport=transport)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run = sweep(store, [USERNAME], catalog, options)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    for record in run.results:
        print(json.dumps({k: record[k] for k in ("site", "status", "reason")}))
    print(json.dumps({"sweep_cpu_s": cpu, "sweep_wall_s": wall, "requests": run.requests}))


def score(verdicts: dict[str, str], expected: dict[str, str]) -> tuple[int, list[str]]:
    wrong = [
        f"{name}: {verdicts.get(name, 'none')} (truth {want})"
        for name, want in expected.items()
        if verdicts.get(name, "unknown") != want
    ]
    return len(expected) - len(wrong), wrong


def report(
    name: str, result: dict[str, Any], expected: dict[str, str], floor: float
) -> dict[str, Any]:
    right, wrong = score(result["verdicts"], expected)
    extra = ""
    if "sweep_cpu_s" in result:
        extra = (
            f"  (sweep alone: {result['sweep_wall_s']:.2f} s wall, "
            f"{result['sweep_cpu_s']:.2f} s CPU, {result['requests']} requests)"
        )
    print(
        f"{name:<22} wall {result['wall_s']:6.2f} s  ({result['wall_s'] / floor:4.2f}x floor)  "
        f"CPU {result['cpu_s']:5.2f} s  peak RSS {result['peak_rss_mb']:6.1f} MB  "
        f"verdicts right {right}/{len(expected)}{extra}"
    )
    for line in wrong[:8]:
        print(f"    wrong: {line}")
    if len(wrong) > 8:
        print(f"    ... {len(wrong) - 8} more wrong")
    return {"right": right, "wrong": wrong}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=600)
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--rivals", action="store_true", help="also run Sherlock and Maigret")
    parser.add_argument("--rivals-venv", default=str(ROOT / ".bench-venv"))
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument(
        "--transport",
        choices=("auto", "aiohttp", "h11"),
        default="auto",
        help="httpx transport for footprint (auto = httpx-aiohttp)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.timeout, args.concurrency, args.transport)
        return

    sites = build_sites(args.sites, args.hostile)
    expected = truth(sites)
    normal = [s for s in sites if s.name.startswith("site")]
    floor = max(s.latency for s in normal)
    work = Path(tempfile.mkdtemp(prefix="footprint-sweep-bench-"))
    catalog = work / "catalog.json"
    catalog.write_text(json.dumps(catalog_document(sites)))
    print(
        f"{len(sites)} simulated sites ({len(normal)} normal"
        f"{', ' + str(len(sites) - len(normal)) + ' hostile' if args.hostile else ''}); "
        f"latency median {sorted(s.latency for s in normal)[len(normal) // 2] * 1000:.0f} ms, "
        f"slowest {floor:.2f} s (the floor); per-request timeout {args.timeout:g} s; "
        f"{os.cpu_count()} CPU cores"
    )

    def fresh(run):  # every measured run gets a new simulator (throttle state is per run)
        sim = SimProcess(sites, work)
        try:
            return run()
        finally:
            sim.close()

    def fp(home: Path) -> dict[str, Any]:
        return fresh(
            lambda: run_footprint(
                catalog, work, args.timeout, args.concurrency, home, args.transport
            )
        )

    cold = fp(work / "home")
    report("footprint (cold)", cold, expected, floor)
    # a second sweep in the same data folder uses the cached canary probes: what a person's
    # next sweep costs.
    cached = fp(work / "home")
    report("footprint (canaries cached)", cached, expected, floor)
    if args.hostile:
        for label, run in (("cold", cold), ("canaries cached", cached)):
            limit = args.timeout + 3
            verdict = "ok" if run["wall_s"] <= limit else "TOO SLOW"
            print(
                f"hostile, {label}: whole process ended in {run['wall_s']:.2f} s "
                f"(limit timeout + 3 s = {limit:.0f} s): {verdict}"
            )
        for name in sorted(n for n in expected if n.startswith("hostile")):
            print(
                f"    {name:<22} {cold['verdicts'].get(name)} ({cold['reasons'].get(name) or '-'})"
            )
    if args.rivals:
        import rivals

        bin_dir = rivals.ensure_rivals_venv(Path(args.rivals_venv))
        docs = catalog_document(sites)["sites"]
        for tool, runner in (("sherlock", rivals.run_sherlock), ("maigret", rivals.run_maigret)):
            outcome = fresh(
                lambda runner=runner, tool=tool: runner(
                    bin_dir, USERNAME, docs, work / tool, args.timeout
                )
            )
            result = {
                "wall_s": outcome.wall_s,
                "cpu_s": outcome.cpu_s,
                "peak_rss_mb": outcome.peak_rss_mb,
                "verdicts": outcome.verdicts,
            }
            report(tool, result, expected, floor)
            if outcome.note:
                print(f"    note: {outcome.note}")
            print(
                f"    footprint is {outcome.wall_s / cold['wall_s']:.1f}x faster (cold), "
                f"{outcome.wall_s / cached['wall_s']:.1f}x (canaries cached)"
            )


if __name__ == "__main__":
    main()
