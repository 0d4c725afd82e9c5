"""Long work off the GUI thread: one QThread that owns an asyncio event loop.

Coroutines (sweeps, later API syncs) run on that loop; blocking work (imports, scans, exports)
runs in the loop's thread pool, so the window keeps painting whatever the job does.  A job
reports progress through a plain callback, as the core expects; the worker coalesces the
reports and hands them to the GUI thread as Qt signals at most every ``interval`` seconds,
so a sweep's thousand verdicts a second cost the GUI a few repaints, not a thousand.

Each job opens its own :class:`~footprint.store.Store` (SQLite connections belong to one
thread); WAL lets the window keep reading meanwhile.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from footprint.progress import CancelToken

log = logging.getLogger(__name__)


@dataclass
class Progress:
    """What a job reported since the last signal: the latest value and every item added."""

    value: Any = None
    items: list[Any] = field(default_factory=list)


class Reporter:
    """Given to a job: ``report(value)`` keeps the latest value, ``add(item)`` queues items.

    Thread-safe; the worker flushes it to the job's ``progress`` signal on a timer.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Progress | None = None

    def report(self, value: Any) -> None:
        with self._lock:
            if self._pending is None:
                self._pending = Progress()
            self._pending.value = value

    def add(self, item: Any, value: Any = None) -> None:
        with self._lock:
            if self._pending is None:
                self._pending = Progress()
            self._pending.items.append(item)
            if value is not None:
                self._pending.value = value

    def take(self) -> Progress | None:
        with self._lock:
            pending, self._pending = self._pending, None
            return pending


JobFunction = Callable[[Reporter, CancelToken], Any]


class Job(QObject):
    """One piece of work.  Its signals arrive on the GUI thread, in order, progress first."""

    progress = Signal(object)  # a Progress
    succeeded = Signal(object)  # the function's return value
    failed = Signal(object)  # the exception it raised
    ended = Signal()  # after succeeded or failed

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.token = CancelToken()
        self.reporter = Reporter()
        self.running = True
        self.result: Any = None
        self.error: Exception | None = None
        self._launch: Callable[[], None] | None = None

    def start(self) -> None:
        """Hand the job to the worker (``submit`` does it once the caller has connected)."""
        launch, self._launch = self._launch, None
        if launch is not None:
            launch()

    def cancel(self) -> None:
        self.token.cancel()

    def flush(self) -> None:
        pending = self.reporter.take()
        if pending is not None:
            self.progress.emit(pending)


class Worker(QThread):
    """The background thread.  ``submit`` from the GUI thread; ``stop`` before quitting."""

    def __init__(self, parent: QObject | None = None, *, interval: float = 0.05) -> None:
        super().__init__(parent)
        self.setObjectName("footprint-worker")
        self.interval = interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="footprint-job")
        self._jobs: list[Job] = []

    # -- the worker thread
    def run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.set_default_executor(self._pool)
        self._loop = loop
        self._ready.set()
        flusher = loop.create_task(self._flush_forever())
        try:
            loop.run_forever()
        finally:
            flusher.cancel()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            for job in list(self._jobs):
                job.flush()

    async def _run(self, job: Job, function: JobFunction) -> None:
        try:
            if _is_async(function):
                result = await function(job.reporter, job.token)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(None, function, job.reporter, job.token)
        except BaseException as exc:
            job.flush()
            if not isinstance(exc, Exception):
                exc = RuntimeError(f"{job.name} stopped: {type(exc).__name__}")
            log.info("job %s failed: %s", job.name, type(exc).__name__)
            job.error = exc
            job.running = False
            job.failed.emit(exc)
        else:
            job.flush()
            job.result = result
            job.running = False
            job.succeeded.emit(result)
        finally:
            if job in self._jobs:
                self._jobs.remove(job)
            job.ended.emit()

    # -- the GUI thread
    def submit(self, name: str, function: JobFunction) -> Job:
        """Run ``function(reporter, cancel_token)``; a coroutine function runs on the loop.

        The job starts on the next turn of the GUI's event loop, so whatever the caller
        connects to its signals right after this call hears every one of them.
        """
        if not self.isRunning():
            self._ready.clear()
            self.start()
        self._ready.wait(5)
        loop = self._loop
        assert loop is not None
        job = Job(name)
        self._jobs.append(job)
        job._launch = functools.partial(self._launch_job, job, function, loop)
        QTimer.singleShot(0, job.start)
        return job

    def _launch_job(self, job: Job, function: JobFunction, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.run_coroutine_threadsafe(self._run(job, function), loop)

    @property
    def busy(self) -> list[Job]:
        """The jobs at work now (one submitted but not yet started is simply dropped on stop)."""
        return [job for job in self._jobs if job.running and job._launch is None]

    def stop(self, timeout: float = 10.0) -> bool:
        """Cancel every job, let them finish their transaction, stop the thread."""
        for job in list(self._jobs):
            job.cancel()
            if job._launch is not None:  # never started: nothing to wait for
                job._launch = None
                job.running = False
                self._jobs.remove(job)
        deadline = time.monotonic() + timeout
        while self._jobs and time.monotonic() < deadline:
            time.sleep(0.02)
        if self._loop is not None and self.isRunning():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self.wait(int(max(0.1, deadline - time.monotonic()) * 1000))
        self._pool.shutdown(wait=False, cancel_futures=True)
        return not self._jobs


def _is_async(function: JobFunction) -> bool:
    """A coroutine function, or an object whose ``__call__`` is one (the job classes)."""
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004
    )
