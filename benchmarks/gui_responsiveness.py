"""How quickly the window appears, and whether it ever freezes while work runs.

python benchmarks/gui_responsiveness.py [--sites 600] [--tweets 100000] [--runs 3]

1. First window: launches ``footprint`` as a fresh process (demo profile, and an existing
   profile) and times from the launch until the window has been shown and its first events
   handled (the app prints a line then; FOOTPRINT_STARTUP_PROBE).  Includes interpreter start,
   imports and, for the demo, building the demo profile.  Target: <= 1.0 s.
2. Stalls: opens the main window offscreen and runs a heartbeat timer every 5 ms on the GUI
   thread while (a) a sweep of N simulated sites (tests/sitesim.py, its own process) and
   (b) an import of an X archive with M tweets run on the worker, with the pages that watch
   them live.  A stall is the gap between heartbeats minus the 5 ms period.  Target: <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from import_speed import make_x_archive  # noqa: E402
from sweep_speed import USERNAME, SimProcess, build_sites  # noqa: E402

from tests.sitesim import catalog_document  # noqa: E402

PERIOD_MS = 5


def first_window(args: list[str], home: Path) -> float:
    env = dict(os.environ, FOOTPRINT_STARTUP_PROBE="1", FOOTPRINT_HOME=str(home))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "footprint", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("first-window"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise SystemExit("the app never showed its window")
    proc.wait(30)
    return elapsed


class Heartbeat:
    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(PERIOD_MS)
        self.timer.timeout.connect(self.beat)

    def beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000 - PERIOD_MS)
        self.last = now

    def start(self) -> None:
        self.gaps = []
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = sorted(self.gaps) or [0.0]
        return {
            "beats": len(gaps),
            "max_ms": gaps[-1],
            "p99_ms": gaps[int(len(gaps) * 0.99) - 1] if len(gaps) > 100 else gaps[-1],
            "median_ms": statistics.median(gaps),
        }


def wait_for(app, job) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while job.running:
        app.processEvents()
        time.sleep(0.001)
    for _ in range(20):
        app.processEvents()
    return time.perf_counter() - start


def stalls(sites: int, tweets: int, workdir: Path) -> None:
    from footprint.gui.app import application
    from footprint.gui.main_window import MainWindow
    from footprint.store import Store
    from footprint.store.profile import add_identifiers

    app = application()
    home = workdir / "home"
    with Store.open(home) as store:
        add_identifiers(store, "username", [USERNAME])
    window = MainWindow(home)
    window.resize(1100, 760)
    window.show()
    app.processEvents()
    beat = Heartbeat()

    sim_sites = build_sites(sites, hostile=False)
    catalog = workdir / "catalog.json"
    catalog.write_text(json.dumps(catalog_document(sim_sites)))
    sim = SimProcess(sim_sites, workdir)
    try:
        window.go("discover")
        page = window.page("discover")
        page.catalog_files = [catalog]
        page.usernames.setText(USERNAME)
        app.processEvents()
        beat.start()
        page.start()
        app.processEvents()
        took = wait_for(app, page.job) if page.job else 0.0
        result = beat.stop()
        rows = page.model.rowCount()
    finally:
        sim.close()
    print(
        f"sweep of {sites} sites (Discover page live, {rows} rows): {took:.1f} s; "
        f"UI stall max {result['max_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"median {result['median_ms']:.2f} ms over {result['beats']} heartbeats"
    )

    archive = workdir / "x-archive.zip"
    make_x_archive(archive, tweets)
    from footprint.gui.pages.accounts import ImportJob

    window.go("accounts")
    beat.start()
    job = window.ctx.run("Importing", ImportJob(home, [archive]))
    took = wait_for(app, job)
    result = beat.stop()
    if job.error is not None:
        raise SystemExit(f"import failed: {job.error}")
    print(
        f"import of {tweets:,} tweets + scan (Accounts page live): {took:.1f} s; "
        f"UI stall max {result['max_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"median {result['median_ms']:.2f} ms over {result['beats']} heartbeats"
    )
    window.go("findings")
    start = time.perf_counter()
    window.page("findings").refresh()
    app.processEvents()
    n = window.page("findings").model.rowCount()
    took_ms = 1000 * (time.perf_counter() - start)
    print(f"findings page over {n:,} findings: reload {took_ms:.0f} ms")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=600)
    parser.add_argument("--tweets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="footprint-gui-bench-"))
    try:
        existing = workdir / "existing"
        from footprint.demo import seed
        from footprint.store import Store

        with Store.open(existing) as store:
            seed(store)
        demo = [first_window(["--demo"], workdir / "unused") for _ in range(args.runs)]
        own = [first_window([], existing) for _ in range(args.runs)]
        print(
            f"first window, demo profile: {', '.join(f'{t:.2f}' for t in demo)} s "
            f"(best {min(demo):.2f} s); existing profile: "
            f"{', '.join(f'{t:.2f}' for t in own)} s (best {min(own):.2f} s); target 1.0 s"
        )
        stalls(args.sites, args.tweets, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
