"""The ``footprint`` command: no arguments opens the desktop app; subcommands run headless."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from footprint import __version__
from footprint.errors import FootprintError, InputError, SchemaTooNewError, StoreError, present
from footprint.paths import data_dir, db_path

if TYPE_CHECKING:
    from footprint.discovery.engine import SweepOptions
    from footprint.store import Store

log = logging.getLogger("footprint.cli")

EXIT_OK, EXIT_PROBLEM, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class Context:
    """What every command gets: the data directory and the output streams."""

    def __init__(self, home: Path, out: TextIO, err: TextIO, stdin: TextIO, debug: bool) -> None:
        self.home = home
        self.out = out
        self.err = err
        self.stdin = stdin
        self.debug = debug

    def open_store(self) -> Store:
        from footprint.store import Store  # imported late: keeps `footprint --help` fast

        return Store.open(self.home)


# ---------------------------------------------------------------- profile


def cmd_profile_show(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.store.profile import KINDS, get_profile

    with ctx.open_store() as store:
        profile = get_profile(store)
    if args.format == "json":
        ctx.out.write(json.dumps(profile.as_dict(), indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if profile.is_empty:
        ctx.out.write(
            "Your profile is empty. Add what footprint should look for, e.g.\n"
            "  footprint profile add username jdoe\n"
            "  footprint profile add email jane@example.org\n"
        )
        return EXIT_OK
    for kind in KINDS:
        values = profile.of(kind)
        label = f"{kind.capitalize()}s:"
        ctx.out.write(f"{label:<11}{', '.join(values) if values else '-'}\n")
    ctx.out.write("\nThis stays on this computer; footprint uses it to find and check your data.\n")
    return EXIT_OK


def cmd_profile_change(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.store import profile as prof

    kind = prof.canonical_kind(args.kind)
    with ctx.open_store() as store:
        if args.action == "set":
            prof.set_identifiers(store, kind, args.values)
            values = ", ".join(prof.get_profile(store).of(kind)) or "(none)"
            ctx.out.write(f"{kind.capitalize()}s set to: {values}\n")
        elif args.action == "add":
            added = prof.add_identifiers(store, kind, args.values)
            ctx.out.write(f"Added {len(added)} {kind}(s).\n")
        else:
            removed = prof.remove_identifiers(store, kind, args.values)
            if not removed:
                raise InputError(f"None of those {kind}s were in your profile.")
            ctx.out.write(f"Removed {len(removed)} {kind}(s).\n")
    return EXIT_OK


# ---------------------------------------------------------------- doctor


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))[2:]


def has_display() -> bool:
    """Whether a desktop session is there to show a window in (always true off Linux)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def qt_check(timeout: float = 60.0) -> tuple[bool | None, str]:
    """Load Qt's platform plugin in a child process (a failing plugin aborts its process).

    Returns (True, detail) when a window can open, (None, detail) when Qt loads but there is
    no display (headless), and (False, reason) when Qt cannot start.
    """
    env = dict(os.environ)
    headless = not has_display() and not env.get("QT_QPA_PLATFORM")
    if headless:
        env["QT_QPA_PLATFORM"] = "offscreen"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "footprint.gui.qtcheck"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return False, f"Qt did not start within {timeout:.0f} s"
    if proc.returncode != 0:
        lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        telling = [ln for ln in lines if "could not" in ln.lower() or "error" in ln.lower()]
        reason = (telling or lines or [f"exit code {proc.returncode}"])[-1]
        return False, f"the desktop app cannot start: {reason}"
    detail = proc.stdout.strip()
    if headless:
        return None, f"{detail}; no display here, so only commands work (no window)"
    return True, detail


def cmd_doctor(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.secrets import SecretStore
    from footprint.store import LATEST_VERSION

    problems = 0

    def report(ok: bool | None, what: str, detail: str) -> None:
        nonlocal problems
        mark = {True: "ok  ", False: "FAIL", None: "warn"}[ok]
        problems += ok is False
        ctx.out.write(f"[{mark}] {what:<15} {detail}\n")

    report(True, "footprint", f"version {__version__}, Python {sys.version.split()[0]}")
    posix = os.name == "posix"  # permission bits mean little elsewhere
    home_mode = _mode(ctx.home)
    report(home_mode == "700" or not posix, "data folder", f"{ctx.home} (permissions {home_mode})")
    path = db_path(ctx.home)
    try:
        with ctx.open_store() as store:
            version = store.schema_version
            check = store.conn.execute("PRAGMA quick_check").fetchone()[0]
            journal = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        detail = (
            f"{path} (permissions {_mode(path)}, data format {version} of "
            f"{LATEST_VERSION}, {journal}, integrity {check})"
        )
        report(check == "ok" and (_mode(path) == "600" or not posix), "database", detail)
    except (SchemaTooNewError, StoreError) as exc:
        report(False, "database", exc.message)
    status = SecretStore().status()
    report(True if status.available else None, "keyring", status.message)
    ok, detail = qt_check()
    report(ok, "Qt", detail)
    ctx.out.write("\nAll good.\n" if not problems else f"\n{problems} problem(s) found.\n")
    return EXIT_OK if not problems else EXIT_PROBLEM


# ---------------------------------------------------------------- export / wipe


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.store.export import export_all, export_to_file

    with ctx.open_store() as store:
        if args.out in (None, "-"):
            counts = export_all(store, ctx.out)
        else:
            target = Path(args.out).expanduser()
            if target.exists() and not args.force:
                raise InputError(f"{target} already exists.", hint="Pass --force to replace it.")
            counts = export_to_file(store, target)
            total = sum(counts.values())
            ctx.err.write(f"Exported {total} records from {len(counts)} tables to {target}.\n")
    return EXIT_OK


def cmd_wipe(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.logs import shutdown_logging
    from footprint.secrets import SecretStore
    from footprint.store.export import read_secret_refs, wipe

    names = read_secret_refs(ctx.home)
    if not args.yes:
        secrets = "an unknown number of" if names is None else str(len(names))
        ctx.err.write(
            f"This erases everything footprint keeps in {ctx.home}: your profile, imported "
            f"posts, findings, backups and logs, and {secrets} secret(s) in your keyring.\n"
            "It cannot be undone. Consider 'footprint export-data --out FILE' first.\n"
        )
        if not ctx.stdin.isatty() and not args.stdin_confirm:
            raise InputError(
                "Nothing was erased: wipe needs confirmation.",
                hint="Run it in a terminal, or pass --yes.",
            )
        ctx.err.write("Type 'wipe' to erase everything: ")
        ctx.err.flush()
        if ctx.stdin.readline().strip() != "wipe":
            ctx.err.write("Nothing was erased.\n")
            return EXIT_PROBLEM
    shutdown_logging()
    result = wipe(ctx.home, SecretStore(), leave_secrets=args.leave_secrets)
    ctx.out.write(
        f"Erased {result.removed} file(s) from {ctx.home} and "
        f"{result.secrets_deleted} secret(s) from the keyring.\n"
    )
    if result.secrets_unknown:
        ctx.out.write(
            "The database could not be read, so footprint could not tell which "
            "keyring entries were its own; look for entries named 'footprint'.\n"
        )
    if result.left:
        ctx.out.write(f"Left alone (not created by footprint): {', '.join(result.left)}\n")
    return EXIT_OK


# ---------------------------------------------------------------- import


class ProgressBar:
    """A one-line progress bar on a terminal (silent when the output is not a terminal)."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.active = stream.isatty()
        self.last = ""

    def show(self, fraction: float, text: str) -> None:
        if not self.active:
            return
        filled = int(self.width * max(0.0, min(1.0, fraction)))
        line = f"[{'#' * filled}{' ' * (self.width - filled)}] {fraction:4.0%}  {text}"[:100]
        if line != self.last:
            self.stream.write("\r" + line.ljust(len(self.last)))
            self.stream.flush()
            self.last = line

    def done(self) -> None:
        if self.active and self.last:
            self.stream.write("\r" + " " * len(self.last) + "\r")
            self.stream.flush()


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.archives import ImportProgress, import_paths

    bar = ProgressBar(ctx.err)

    def progress(p: ImportProgress) -> None:
        fraction = p.bytes_done / p.bytes_total if p.bytes_total else 0.0
        bar.show(fraction, f"{p.items:,} items  {p.member}")

    with ctx.open_store() as store:
        try:
            summary = import_paths(
                store, [Path(p).expanduser() for p in args.paths], progress=progress
            )
        finally:
            bar.done()
    for line in summary.lines():
        ctx.out.write(line + "\n")
    ctx.out.write(f"Imported in {summary.seconds:.1f} s. Everything stays on this computer.\n")
    if not args.no_scan:
        with ctx.open_store() as store:
            _run_scan(store, ctx, full=False)
    return EXIT_OK


# ---------------------------------------------------------------- checklist


def _run_scan(store: Store, ctx: Context, full: bool) -> None:
    from footprint.checklist.scan import ScanProgress, scan

    bar = ProgressBar(ctx.err)

    def progress(p: ScanProgress) -> None:
        bar.show(p.done / p.total if p.total else 1.0, f"{p.done:,}/{p.total:,} items checked")

    try:
        summary = scan(store, full=full, progress=progress)
    finally:
        bar.done()
    for line in summary.lines():
        ctx.out.write(line + "\n")
    if summary.by_category:
        ctx.out.write(
            "Open findings: "
            + ", ".join(
                f"{cat} {n}"
                for cat, n in sorted(summary.by_category.items(), key=lambda kv: -kv[1])
            )
            + ". See them with: footprint findings\n"
        )


def cmd_scan(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_store() as store:
        _run_scan(store, ctx, full=args.full)
    return EXIT_OK


def _one_line(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_findings(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.checklist.findings import STATES, list_findings

    states = (
        None
        if args.state == "all"
        else (("open", "in_progress") if args.state is None else (args.state,))
    )
    if args.state not in (None, "all") and args.state not in STATES:
        raise InputError(f"Unknown state {args.state!r}.", hint="Use one of: " + ", ".join(STATES))
    with ctx.open_store() as store:
        found = list_findings(
            store,
            category=args.category,
            min_severity=args.min_severity,
            states=states,
            platform=args.platform,
            limit=args.limit,
        )
    if args.format == "jsonl":
        for finding in found:
            ctx.out.write(json.dumps(finding.as_json(), ensure_ascii=False) + "\n")
        return EXIT_OK
    if not found:
        ctx.out.write("No findings match. Run `footprint scan` after importing or connecting.\n")
        return EXIT_OK
    ctx.out.write(
        f"{'ID':>5}  {'SEVERITY':<8}  {'CATEGORY':<15}  {'PLATFORM':<10}  {'DATE':<10}  EVIDENCE\n"
    )
    for f in found:
        evidence = "; ".join(e.get("excerpt") or str(e.get("match")) for e in f.evidence[:1])
        ctx.out.write(
            f"{f.id:>5}  {f.severity:<8}  {f.category:<15}  {(f.platform or '-'):<10}  "
            f"{(f.item_created_at or '')[:10]:<10}  {_one_line(evidence or f.title or '', 70)}\n"
        )
    ctx.out.write(
        f"{len(found)} finding(s). Dismiss a false flag: footprint dismiss ID --reason TEXT\n"
    )
    return EXIT_OK


def cmd_dismiss(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.checklist.findings import dismiss, reopen

    with ctx.open_store() as store:
        if args.reopen:
            finding = reopen(store, args.id)
            ctx.out.write(f"Finding {finding.id} is open again.\n")
        else:
            finding = dismiss(store, args.id, args.reason or "")
            ctx.out.write(
                f"Dismissed finding {finding.id} ({finding.category}). It stays dismissed when "
                "you scan again.\n"
            )
    return EXIT_OK


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.checklist.engine import Checker

    if not args.stdin:
        raise InputError("Give the texts on standard input: footprint check --stdin < posts.txt")
    checker = Checker(use_model=not args.no_model)
    for line in sys.stdin:
        text = line.rstrip("\n")
        drafts = checker.check(text)
        record = {
            "text": text,
            "categories": sorted({d.category for d in drafts}),
            "findings": [
                {
                    "rule": d.rule_id,
                    "category": d.category,
                    "severity": d.severity,
                    "evidence": [
                        {k: e[k] for k in ("start", "end", "match", "notes") if k in e}
                        for e in d.evidence
                    ],
                }
                for d in drafts
            ],
        }
        ctx.out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return EXIT_OK


def cmd_score(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.checklist.rules import load_ruleset
    from footprint.checklist.score import compute_score, history

    with ctx.open_store() as store:
        score = compute_score(store, load_ruleset())
        past = history(store)
    for line in score.explanation:
        ctx.out.write(line + "\n")
    if args.history:
        for taken_at, value in past:
            ctx.out.write(f"{taken_at[:19]}  {value:>3}  {'#' * (value // 4)}\n")
    return EXIT_OK


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.report import write_report

    target = Path(args.out).expanduser()
    with ctx.open_store() as store:
        written = write_report(store, target, redact=args.redact, limit=None if args.all else 150)
    what = "with the evidence hidden" if args.redact else "with the evidence"
    ctx.out.write(
        f"Wrote the report ({what}) to {written}. It holds personal data: share it "
        "only with people you trust.\n"
    )
    return EXIT_OK


# ---------------------------------------------------------------- app


# ---------------------------------------------------------------- discovery


def _sweep_options(args: argparse.Namespace, store: Store) -> SweepOptions:
    from footprint.discovery.engine import SweepOptions
    from footprint.net import options_from_store

    for name in ("timeout", "deadline"):
        value = getattr(args, name)
        if value is not None and not 0 < value <= 3600:
            raise InputError(f"--{name} must be between 0 and 3600 seconds.")
    if not 1 <= args.concurrency <= 512:
        raise InputError("--concurrency must be between 1 and 512.")
    if not 1 <= args.per_host <= 64:
        raise InputError("--per-host must be between 1 and 64.")
    network = options_from_store(store, proxy=args.proxy, user_agent=args.user_agent)
    return SweepOptions(
        timeout=args.timeout,
        deadline=args.deadline,
        concurrency=args.concurrency,
        per_host=args.per_host,
        canary=not args.no_canary,
        network=network,
    )


def cmd_sweep(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.catalog.sources import default_catalog
    from footprint.discovery.engine import REASON_TEXT
    from footprint.discovery.sweep import SweepProgress, site_category, sweep
    from footprint.discovery.variants import name_variants
    from footprint.progress import CancelToken
    from footprint.store.profile import get_profile

    with ctx.open_store() as store:
        options = _sweep_options(args, store)
        catalog = default_catalog(ctx.home, [Path(f).expanduser() for f in args.catalog or []])
        sites = catalog.select(args.site or (), args.category or ())
        if not sites:
            raise InputError("No site in the catalog matches --site/--category.")
        profile = get_profile(store)
        usernames = list(args.usernames) or profile.of("username")
        if args.variants:
            usernames += name_variants(profile.of("name"), usernames)
        if not usernames:
            raise InputError(
                "Which username should footprint look for?",
                hint="footprint sweep USERNAME, or add yours: footprint profile add username NAME",
            )
        jsonl = args.format == "jsonl"
        bar = ProgressBar(ctx.err)
        cancel = CancelToken()
        seen: set[tuple[str, str]] = set()

        def emit(record: dict[str, object]) -> None:
            seen.add((str(record["site"]), str(record["username"])))
            ctx.out.write(json.dumps(record, ensure_ascii=False) + "\n")
            ctx.out.flush()

        def progress(p: SweepProgress) -> None:
            bar.show(
                p.done / p.total if p.total else 1.0,
                f"{p.done}/{p.total} sites  found {p.found}  missing {p.missing}  "
                f"unknown {p.unknown}",
            )
            if jsonl and p.last is not None:
                emit(p.last.record(site_category(p.last.site)))

        via = f", through {options.network.redacted_proxy()}" if options.network.proxy else ""
        ctx.err.write(
            f"Checking {', '.join(usernames)} on {len(sites)} sites "
            f"(at most {options.timeout:g} s per site; only these sites are contacted{via})...\n"
        )
        try:
            run = sweep(
                store, usernames, catalog, options, sites=sites, progress=progress, cancel=cancel
            )
        except KeyboardInterrupt:
            bar.done()
            ctx.err.write(
                "\nInterrupted. The verdicts so far are saved; run the same command to "
                "resume where it stopped.\n"
            )
            return EXIT_INTERRUPTED
        finally:
            bar.done()
        if jsonl:
            for record in run.results:  # resumed verdicts, not streamed above
                if (str(record["site"]), str(record["username"])) not in seen:
                    emit({k: v for k, v in record.items() if k != "checked_at"})
        else:
            _print_sweep_table(ctx, run.results, show_all=args.all)
        counts = run.counts
        resumed = f" ({run.resumed} resumed from the last run)" if run.resumed else ""
        ctx.err.write(
            f"{counts.found} found, {counts.missing} missing, {counts.unknown} unknown "
            f"on {len(sites)} sites in {run.elapsed_s:.1f} s{resumed}.\n"
        )
        reasons: dict[str, int] = {}
        for record in run.results:
            if record["status"] == "unknown":
                key = str(record["reason"])
                reasons[key] = reasons.get(key, 0) + 1
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            ctx.err.write(f"  unknown ({n}): {REASON_TEXT.get(reason, reason)}\n")
        if counts.found:
            ctx.err.write(
                "Tell footprint which found profiles are yours: "
                "footprint claim SITE USERNAME mine|not-mine\n"
            )
        from footprint.checklist.scan import scan

        summary = scan(store)
        if summary.new:
            ctx.err.write(f"{summary.new} new finding(s); see: footprint findings\n")
    return EXIT_OK


def _print_sweep_table(ctx: Context, records: list[dict[str, object]], show_all: bool) -> None:
    rows = [r for r in records if show_all or r["status"] == "found"]
    order = {"found": 0, "unknown": 1, "missing": 2}
    rows.sort(key=lambda r: (order[str(r["status"])], str(r["site"]).lower()))
    if not rows:
        ctx.out.write("No profile found under that username.\n")
        return
    ctx.out.write(f"{'SITE':<24} {'USERNAME':<16} {'STATUS':<8} {'URL / REASON'}\n")
    for r in rows:
        tail = r["url"] if r["status"] != "unknown" else r["reason"]
        ctx.out.write(
            f"{_one_line(str(r['site']), 24):<24} {_one_line(str(r['username']), 16):<16} "
            f"{r['status']!s:<8} {tail}\n"
        )


def cmd_found(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.discovery.sweep import found_profiles

    with ctx.open_store() as store:
        profiles = found_profiles(store, args.username)
    if args.format == "jsonl":
        for p in profiles:
            ctx.out.write(json.dumps(p.__dict__, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not profiles:
        ctx.out.write("No found profiles yet. Run: footprint sweep USERNAME\n")
        return EXIT_OK
    label = {"mine": "mine", "not_mine": "not mine", None: "? (undecided)"}
    ctx.out.write(f"{'SITE':<24} {'USERNAME':<16} {'YOURS?':<14} URL\n")
    for p in profiles:
        decision = "yes, connected" if p.connected else label.get(p.claim, p.claim or "")
        ctx.out.write(
            f"{_one_line(p.site, 24):<24} {_one_line(p.username, 16):<16} "
            f"{decision:<14} {p.url or ''}\n"
        )
    return EXIT_OK


def cmd_claim(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.checklist.scan import scan
    from footprint.discovery.sweep import set_claim

    claim = args.claim.replace("-", "_")
    with ctx.open_store() as store:
        set_claim(store, args.site, args.username, claim)
        scan(store)
    words = {
        "mine": "yours: it is now in your accounts and findings",
        "not_mine": "not yours: footprint will not count it",
        "undecided": "undecided again",
    }
    ctx.out.write(f"{args.site} / {args.username} marked {words[claim]}.\n")
    return EXIT_OK


def cmd_catalog_update(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio

    from footprint.catalog.sources import (
        WMN_ATTRIBUTION,
        configured_url,
        download,
        install_upstream,
    )
    from footprint.net import options_from_store

    with ctx.open_store() as store:
        url = args.url or configured_url(store)
        network = options_from_store(store, proxy=args.proxy)
    via = f" through {network.redacted_proxy()}" if network.proxy else ""
    ctx.err.write(f"Downloading {url}{via}...\n")
    raw = asyncio.run(download(url, network))
    result = install_upstream(ctx.home, raw, url)
    change = ""
    if result.previous is not None:
        change = (
            f" (was {result.previous}; {len(result.added)} added, {len(result.removed)} removed)"
        )
    ctx.out.write(f"Catalog updated: {result.sites} sites{change}, saved to {result.path}.\n")
    ctx.out.write(WMN_ATTRIBUTION + "\n")
    return EXIT_OK


def cmd_catalog_info(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.catalog.sources import WMN_ATTRIBUTION, default_catalog, upstream_info

    catalog = default_catalog(ctx.home, [Path(f).expanduser() for f in args.catalog or []])
    ctx.out.write(f"{len(catalog.usable)} sites to check ({len(catalog)} in all).\n")
    for source in catalog.sources:
        ctx.out.write(f"- {source.label}: {source.site_count} sites")
        ctx.out.write(f" ({source.path})\n" if source.path else "\n")
        for line in source.license:
            ctx.out.write(f"    {line}\n")
    info = upstream_info(ctx.home)
    if info is not None and not args.catalog:
        ctx.out.write(
            f"WhatsMyName copy from {info.get('url')}, fetched {info.get('fetched_at')}.\n"
        )
        ctx.out.write(WMN_ATTRIBUTION + "\n")
    elif not args.catalog:
        ctx.out.write("No WhatsMyName copy yet; `footprint catalog update` fetches it.\n")
    by_cat: dict[str, int] = {}
    for site in catalog.usable:
        cat = site.meta.category if site.meta else site.cat
        by_cat[cat] = by_cat.get(cat, 0) + 1
    ctx.out.write(
        "By category: "
        + ", ".join(f"{c} {n}" for c, n in sorted(by_cat.items(), key=lambda kv: -kv[1]))
        + "\n"
    )
    return EXIT_OK


def cmd_catalog_validate(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.catalog.schema import load_catalog

    for name in args.files:
        catalog = load_catalog(Path(name).expanduser())
        ctx.out.write(f"{name}: valid, {len(catalog)} sites ({len(catalog.usable)} usable).\n")
    return EXIT_OK


def cmd_gui(args: argparse.Namespace, ctx: Context) -> int:
    if not has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        raise FootprintError(
            "There is no display to open the desktop app on (DISPLAY and WAYLAND_DISPLAY "
            "are not set).",
            hint="Run footprint from a desktop session, or use its commands: footprint --help",
        )
    try:
        from footprint.gui.app import run
    except ImportError as exc:
        raise FootprintError(
            f"The desktop app cannot start because Qt failed to load ({exc}).",
            hint="On Debian/Ubuntu: sudo apt-get install libgl1 libegl1 libxkbcommon0 "
            "libxkbcommon-x11-0 libxcb-cursor0. Every feature is also available as a "
            "command: footprint --help",
        ) from exc
    return run(ctx.home, demo=args.demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="footprint",
        description="Audit your own digital footprint and clean it up. With no command, "
        "opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"footprint {__version__}")
    parser.add_argument("--debug", action="store_true", help="log verbosely; show tracebacks")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use a temporary demo profile (a fictional person); your data is untouched",
    )
    parser.set_defaults(handler=cmd_gui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    profile = sub.add_parser(
        "profile", help="show or change who you are (what footprint looks for)"
    )
    psub = profile.add_subparsers(title="actions", metavar="ACTION", required=True)
    show = psub.add_parser("show", help="show your profile")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=cmd_profile_show)
    for action, text in (
        ("set", "replace all values of a kind"),
        ("add", "add values"),
        ("remove", "remove values"),
    ):
        p = psub.add_parser(action, help=text)
        p.add_argument("kind", help="name, username, email, phone or place")
        p.add_argument("values", nargs="*" if action == "set" else "+", metavar="VALUE")
        p.set_defaults(handler=cmd_profile_change, action=action)

    imp = sub.add_parser(
        "import",
        help="import a platform's data export (zip, tar.gz, folder or file)",
        description="Import data exports from X, Facebook, Instagram, LinkedIn, Reddit, "
        "Mastodon, YouTube (Google Takeout) and TikTok, or CSV/JSONL files with a 'text' "
        "column. The platform is recognised from the contents. Give all parts of a "
        "multi-part export together. Importing again adds nothing twice.",
    )
    imp.add_argument("paths", nargs="+", metavar="PATH")
    imp.add_argument(
        "--no-scan", action="store_true", help="do not run the checklist over what came in"
    )
    imp.set_defaults(handler=cmd_import)

    scan = sub.add_parser("scan", help="check everything against the checklist (new items only)")
    scan.add_argument("--full", action="store_true", help="check every item again")
    scan.set_defaults(handler=cmd_scan)

    findings = sub.add_parser("findings", help="list what the checklist found")
    findings.add_argument("--format", choices=("table", "jsonl"), default="table")
    findings.add_argument("--category", help="only this category (e.g. profanity, personal_data)")
    findings.add_argument(
        "--min-severity", choices=("info", "low", "medium", "high", "critical"), default=None
    )
    findings.add_argument("--platform", help="only this platform (e.g. x, reddit)")
    findings.add_argument(
        "--state", help="open (default: open and in progress), dismissed, done, ... or all"
    )
    findings.add_argument("--limit", type=int, help="at most this many")
    findings.set_defaults(handler=cmd_findings)

    dismiss = sub.add_parser("dismiss", help="mark a finding as a false flag (kept across scans)")
    dismiss.add_argument("id", type=int, help="the finding's ID (see footprint findings)")
    dismiss.add_argument("--reason", help="why it is not a problem (required)")
    dismiss.add_argument("--reopen", action="store_true", help="undo: open the finding again")
    dismiss.set_defaults(handler=cmd_dismiss)

    check = sub.add_parser(
        "check", help="check texts without storing them: one per line in, JSON lines out"
    )
    check.add_argument("--stdin", action="store_true", help="read the texts from standard input")
    check.add_argument("--no-model", action="store_true", help="rules only, no trained model")
    check.set_defaults(handler=cmd_check)

    score = sub.add_parser("score", help="your footprint score, explained")
    score.add_argument("--history", action="store_true", help="show the score after each scan")
    score.set_defaults(handler=cmd_score)

    report = sub.add_parser(
        "report",
        help="what an employer sees: a report as HTML or PDF",
        description="Write what a screener or recruiter would find, most serious first, with "
        "your score and its history. HTML is one self-contained file; PDF is made by Qt.",
    )
    report.add_argument("--out", required=True, metavar="FILE", help="report.html or report.pdf")
    report.add_argument(
        "--redact",
        action="store_true",
        help="hide the evidence itself (post text, matched words, links): for sharing",
    )
    report.add_argument(
        "--all", action="store_true", help="list every finding (default: 150 per section)"
    )
    report.set_defaults(handler=cmd_report)

    sw = sub.add_parser(
        "sweep",
        help="look for your username(s) across hundreds of sites",
        description="Check which sites have a profile under USERNAME (found / missing / "
        "unknown, with a reason). Only the sites in the catalog are contacted. "
        "Verdicts are saved as they arrive; run it again to resume an interrupted sweep.",
    )
    sw.add_argument(
        "usernames", nargs="*", metavar="USERNAME", help="default: the usernames in your profile"
    )
    sw.add_argument(
        "--catalog",
        action="append",
        metavar="FILE",
        help="use this WhatsMyName-format file instead (repeat to merge several)",
    )
    sw.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="give up on a site after this long (default 15)",
    )
    sw.add_argument(
        "--deadline", type=float, metavar="SECONDS", help="stop the whole sweep after this long"
    )
    sw.add_argument(
        "--concurrency",
        type=int,
        default=256,
        metavar="N",
        help="requests in flight at once, all sites together (default 256)",
    )
    sw.add_argument(
        "--per-host",
        type=int,
        default=2,
        metavar="N",
        help="requests in flight to any one site (default 2)",
    )
    sw.add_argument("--format", choices=("table", "jsonl"), default="table")
    sw.add_argument("--all", action="store_true", help="table: list missing and unknown too")
    sw.add_argument("--site", action="append", metavar="NAME", help="only this site (repeat)")
    sw.add_argument(
        "--category",
        action="append",
        metavar="CAT",
        help="only this category, e.g. dating or social (repeat)",
    )
    sw.add_argument(
        "--variants",
        action="store_true",
        help="also try usernames made from your name (first.last, flast, ...)",
    )
    sw.add_argument(
        "--no-canary",
        action="store_true",
        help="skip the made-up-username check that catches broken site checks",
    )
    sw.add_argument("--proxy", metavar="URL", help="http://, socks5:// or socks5h:// proxy")
    sw.add_argument("--user-agent", metavar="UA", help="override footprint's User-Agent")
    sw.set_defaults(handler=cmd_sweep)

    found = sub.add_parser("found", help="profiles the sweeps found, and whether they are yours")
    found.add_argument("--username", help="only this username")
    found.add_argument("--format", choices=("table", "jsonl"), default="table")
    found.set_defaults(handler=cmd_found)

    claim = sub.add_parser("claim", help="say whether a found profile is yours")
    claim.add_argument("site")
    claim.add_argument("username")
    claim.add_argument("claim", choices=("mine", "not-mine", "undecided"))
    claim.set_defaults(handler=cmd_claim)

    catalog = sub.add_parser("catalog", help="the site catalog sweeps use")
    csub = catalog.add_subparsers(title="actions", metavar="ACTION", required=True)
    upd = csub.add_parser("update", help="download the WhatsMyName catalog (CC BY-SA 4.0)")
    upd.add_argument("--url", help="download from this address instead")
    upd.add_argument("--proxy", metavar="URL", help="http://, socks5:// or socks5h:// proxy")
    upd.set_defaults(handler=cmd_catalog_update)
    info = csub.add_parser("info", help="which catalogs are in use, with their attribution")
    info.add_argument("--catalog", action="append", metavar="FILE")
    info.set_defaults(handler=cmd_catalog_info)
    val = csub.add_parser("validate", help="check files against the WhatsMyName schema")
    val.add_argument("files", nargs="+", metavar="FILE")
    val.set_defaults(handler=cmd_catalog_validate)

    from footprint.cli_accounts import add_parsers
    from footprint.cli_cleanup import add_parsers as add_cleanup_parsers
    from footprint.cli_exposure import add_parsers as add_exposure_parsers

    add_parsers(sub)
    add_cleanup_parsers(sub)
    add_exposure_parsers(sub)

    doctor = sub.add_parser("doctor", help="check the data folder, database, keyring and Qt")
    doctor.set_defaults(handler=cmd_doctor)

    export = sub.add_parser("export-data", help="write all your data as JSON")
    export.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.set_defaults(handler=cmd_export)

    wipe = sub.add_parser("wipe", help="erase all local data and footprint's keyring entries")
    wipe.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    wipe.add_argument(
        "--leave-secrets",
        action="store_true",
        help="erase the data even if the keyring entries cannot be deleted",
    )
    wipe.add_argument("--stdin-confirm", action="store_true", help=argparse.SUPPRESS)
    wipe.set_defaults(handler=cmd_wipe)

    gui = sub.add_parser("gui", help="open the desktop app (the default)")
    gui.set_defaults(handler=cmd_gui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `footprint connect mastodon --instance URL alice`: argparse fills an optional
        # positional before the options, so a name after them comes back unparsed.
        if len(extra) == 1 and not extra[0].startswith("-") and getattr(args, "who", "") is None:
            args.who = extra[0]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    os.umask(0o077)
    _utf8_streams()
    previous_sigterm = None
    if threading.current_thread() is threading.main_thread():
        previous_sigterm = signal.signal(signal.SIGTERM, _terminate)
    err = sys.stderr
    demo_home: Path | None = None
    try:
        if args.demo:
            from footprint.demo import make_demo_home

            demo_home = make_demo_home()
        home = demo_home or data_dir()
        from footprint.logs import setup_logging

        setup_logging(home, debug=args.debug, console=args.debug)
        ctx = Context(home, sys.stdout, err, sys.stdin, args.debug)
        return int(args.handler(args, ctx))
    except FootprintError as exc:
        log.info("command failed: %s", exc.message)
        _print_error(exc, err, args.debug)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write("\nInterrupted; unfinished changes were rolled back.\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (e.g. `footprint export-data | head`); not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
    except Exception as exc:
        log.exception("unexpected error")
        _print_error(exc, err, args.debug)
        return EXIT_PROBLEM
    finally:
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
        if demo_home is not None:
            from footprint.logs import shutdown_logging

            shutdown_logging()
            shutil.rmtree(demo_home, ignore_errors=True)


def _utf8_streams() -> None:
    """Exports and redirected output are UTF-8 whatever the locale; terminals never crash."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        if stream.isatty():
            reconfigure(errors="replace")
        else:
            reconfigure(encoding="utf-8")


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl+C: transactions roll back and temporary data is removed."""
    raise KeyboardInterrupt


def _print_error(exc: BaseException, err: TextIO, debug: bool) -> None:
    """The one place the CLI turns an error into text; tracebacks only with --debug."""
    shown = present(exc)
    err.write(f"footprint: {shown.text}\n")
    if debug:
        import traceback

        from footprint.logs import redact

        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        err.write(redact(shown.details or trace).rstrip() + "\n")
    elif not shown.expected:
        err.write(
            "Run again with --debug for the technical details "
            "(they are also in footprint's log file).\n"
        )


if __name__ == "__main__":
    sys.exit(main())
