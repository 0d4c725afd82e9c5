"""The worker thread: blocking and async jobs, coalesced progress, failures, cancel, stop."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from footprint.gui.worker import Worker
from footprint.progress import Cancelled


@pytest.fixture
def worker(qtbot):
    w = Worker(interval=0.05)
    yield w
    w.stop()


class Recorder:
    """Collects a job's signals (a QObject-free receiver is fine for tests)."""

    def __init__(self, job) -> None:
        self.progress: list = []
        self.results: list = []
        self.errors: list = []
        self.ended = 0
        job.progress.connect(self.progress.append)
        job.succeeded.connect(self.results.append)
        job.failed.connect(self.errors.append)
        job.ended.connect(self.end)

    def end(self) -> None:
        self.ended += 1


def test_a_blocking_job_runs_off_the_gui_thread(qtbot, worker):
    seen = {}

    def work(reporter, cancel):
        seen["thread"] = threading.current_thread()
        return 42

    job = worker.submit("blocking", work)
    rec = Recorder(job)  # connected after submit: still hears everything
    qtbot.waitUntil(lambda: rec.ended == 1, timeout=5000)
    assert rec.results == [42] and job.result == 42 and not rec.errors
    assert seen["thread"] is not threading.main_thread()


def test_an_async_job_runs_on_the_workers_loop(qtbot, worker):
    async def work(reporter, cancel):
        await asyncio.sleep(0.01)
        return asyncio.get_running_loop() is not None

    job = worker.submit("async", work)
    rec = Recorder(job)
    qtbot.waitUntil(lambda: rec.ended == 1, timeout=5000)
    assert rec.results == [True]


def test_progress_is_coalesced_but_no_item_is_lost(qtbot, worker):
    def work(reporter, cancel):
        for n in range(5000):
            reporter.add(n, value=n)
            if n % 500 == 0:
                time.sleep(0.02)
        reporter.report("last")
        return "done"

    job = worker.submit("chatty", work)
    rec = Recorder(job)
    qtbot.waitUntil(lambda: rec.ended == 1, timeout=10000)
    items = [item for p in rec.progress for item in p.items]
    assert items == list(range(5000))
    assert len(rec.progress) < 100  # 5,000 reports, a few dozen signals at most
    assert rec.progress[-1].value == "last"


def test_a_failure_arrives_as_the_exception(qtbot, worker):
    def work(reporter, cancel):
        raise ValueError("broken input")

    job = worker.submit("failing", work)
    rec = Recorder(job)
    qtbot.waitUntil(lambda: rec.ended == 1, timeout=5000)
    assert isinstance(rec.errors[0], ValueError) and not rec.results
    assert isinstance(job.error, ValueError)


def test_cancel_reaches_the_job(qtbot, worker):
    started = threading.Event()

    def work(reporter, cancel):
        started.set()
        while True:
            cancel.check("The test job")
            time.sleep(0.005)

    job = worker.submit("endless", work)
    rec = Recorder(job)
    qtbot.waitUntil(started.is_set, timeout=5000)
    job.cancel()
    qtbot.waitUntil(lambda: rec.ended == 1, timeout=5000)
    assert isinstance(rec.errors[0], Cancelled)


def test_stop_cancels_running_jobs_and_ends_the_thread(qtbot, worker):
    started = threading.Event()

    async def work(reporter, cancel):
        started.set()
        while not cancel.cancelled:
            await asyncio.sleep(0.01)
        return "stopped cleanly"

    job = worker.submit("long", work)
    qtbot.waitUntil(started.is_set, timeout=5000)
    assert worker.busy == [job]
    assert worker.stop(timeout=5)
    assert not worker.isRunning() and job.result == "stopped cleanly"


def test_a_job_never_started_does_not_hold_up_stop(qtbot, worker):
    job = worker.submit("late", lambda reporter, cancel: 1)
    assert worker.stop(timeout=2)  # before the event loop ever started it
    assert not job.running
