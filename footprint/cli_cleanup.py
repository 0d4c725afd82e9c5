"""``footprint cleanup plan / run / status / cancel``, ``footprint verify``, ``footprint log``."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from typing import TYPE_CHECKING, Any

from footprint.errors import InputError
from footprint.platforms import display_name

if TYPE_CHECKING:
    from footprint.cleanup.actions import RunProgress
    from footprint.cli import Context

EXIT_OK, EXIT_INTERRUPTED = 0, 130
_AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_age(text: str) -> int:
    """``30d``, ``6w``, ``18m``, ``2y`` -> days."""
    match = _AGE.match(text.lower())
    if not match:
        raise InputError(
            f"{text!r} is not an age footprint understands.",
            hint="Write it as a number and d, w, m or y: 30d, 6w, 18m, 2y.",
        )
    return int(match.group(1)) * _DAYS[match.group(2)]


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _show_plan(ctx: Context, store: Any, states: tuple[str, ...]) -> int:
    from footprint.cleanup.actions import estimate_seconds, list_actions

    planned = list_actions(store, states)
    if not planned:
        ctx.out.write("Nothing is planned.\n")
        return 0
    by_platform: dict[tuple[str, str], int] = {}
    for planned_action in planned:
        key = (planned_action.platform, planned_action.action)
        by_platform[key] = by_platform.get(key, 0) + 1
    for (platform, kind), n in sorted(by_platform.items()):
        what = "deletions" if kind == "delete" else "setting changes"
        took = estimate_seconds(platform, n) if kind == "delete" else 0
        pace = f" (at least {_duration(took)} at the platform's limits)" if took else ""
        ctx.out.write(f"{display_name(platform)}: {n} {what}{pace}\n")
    for shown in planned[:20]:
        ctx.out.write(f"  #{shown.id} {display_name(shown.platform)} {shown.summary}\n")
    if len(planned) > 20:
        ctx.out.write(f"  … and {len(planned) - 20} more\n")
    return len(planned)


def cmd_cleanup_plan(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.checklist.findings import FindingFilter, finding_ids
    from footprint.cleanup.actions import KeepRules, plan_bulk, plan_findings

    with ctx.open_store() as store:
        planned = 0
        skipped: list[str] = []
        if args.older_than:
            if not args.platform:
                raise InputError("Say which platform's old posts: --platform P --older-than 2y")
            keep = KeepRules(
                older_than_days=parse_age(args.older_than),
                keep_ids=frozenset(args.keep or ()),
                keep_replies=args.keep_replies,
                only_flagged=args.only_flagged,
                min_likes=args.keep_likes,
                overwrite=args.overwrite,
            )
            planned += len(plan_bulk(store, args.platform.lower(), keep))
        if args.finding or args.rule or (args.platform and not args.older_than):
            ids = list(args.finding or ())
            if args.rule or (args.platform and not args.older_than):
                flt = FindingFilter(
                    states=("open", "in_progress"),
                    platform=args.platform.lower() if args.platform else None,
                )
                rows = finding_ids(store, flt)
                if args.rule:
                    rules = dict(store.conn.execute("SELECT id, rule_id FROM findings"))
                    rows = [fid for fid in rows if str(rules[fid]).startswith(args.rule)]
                ids += rows
            added, skipped = plan_findings(store, ids)
            planned += len(added)
        if not (args.finding or args.rule or args.platform or args.older_than):
            raise InputError(
                "Plan what? Give --finding ID, --rule RULE, --platform P, or "
                "--platform P --older-than AGE.",
            )
        ctx.out.write(f"Planned {planned} new action(s). The whole plan:\n")
        _show_plan(ctx, store, ("planned",))
        if skipped:
            ctx.out.write(f"{len(skipped)} finding(s) have no automated fix here, e.g.:\n")
            for reason in skipped[:5]:
                ctx.out.write(f"  {reason}\n")
        ctx.out.write(
            "Nothing was changed. Review the plan, then run it: footprint cleanup run "
            "(footprint cleanup cancel drops it).\n"
        )
    return EXIT_OK


class _RunBar:
    def __init__(self, ctx: Context, total: int) -> None:
        from footprint.cli import ProgressBar

        self.bar = ProgressBar(ctx.err)
        self.total = max(total, 1)

    def __call__(self, p: RunProgress) -> None:
        waiting = (
            f"  waiting for the platform's limit until {p.waiting_until}"
            if (p.waiting_until)
            else ""
        )
        self.bar.show(
            (p.done + p.failed) / self.total,
            f"{p.done} done ({p.verified} confirmed), {p.failed} failed{waiting}",
        )


def cmd_cleanup_run(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.actions import queue_planned, run_queue
    from footprint.net import options_from_store
    from footprint.progress import CancelToken
    from footprint.secrets import SecretStore

    with ctx.open_store() as store:
        if args.dry_run:
            count = _show_plan(ctx, store, ("planned", "queued", "running"))
            ctx.out.write(
                f"Dry run: {count} action(s) would run; nothing was changed.\n" if count else ""
            )
            return EXIT_OK
        queued = queue_planned(store)
        pending = store.conn.execute(
            "SELECT COUNT(*) FROM cleanup_actions WHERE state IN ('queued', 'running')"
        ).fetchone()[0]
        if not pending:
            ctx.out.write("Nothing to run. Plan something first: footprint cleanup plan …\n")
            return EXIT_OK
        ctx.err.write(
            f"Running {pending} action(s) ({queued} newly queued). Every post is backed up "
            "before it is deleted; Ctrl+C pauses, and the next run continues.\n"
        )
        bar = _RunBar(ctx, pending)
        try:
            result = asyncio.run(
                run_queue(
                    store,
                    SecretStore(),
                    options=options_from_store(store),
                    progress=bar,
                    token=CancelToken(),
                    wait=not args.no_wait,
                )
            )
        except KeyboardInterrupt:
            bar.bar.done()
            ctx.err.write("\nPaused. Nothing is lost; run it again to continue.\n")
            return EXIT_INTERRUPTED
        finally:
            bar.bar.done()
        ctx.out.write(
            f"{result.done} done ({result.verified} confirmed by the platform), "
            f"{result.failed} failed, {result.left} left.\n"
        )
        if result.left and result.next_at:
            ctx.out.write(f"The platform's limit allows the next one at {result.next_at}.\n")
        for error in result.errors[:5]:
            ctx.out.write(f"  problem: {error}\n")
    return EXIT_OK


def cmd_cleanup_status(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.actions import counts

    with ctx.open_store() as store:
        by_state = counts(store)
        if not by_state:
            ctx.out.write("No cleanup actions yet. Plan some: footprint cleanup plan …\n")
        else:
            order = ("planned", "queued", "running", "done", "verified", "failed", "cancelled")
            ctx.out.write(
                ", ".join(f"{state} {by_state[state]}" for state in order if state in by_state)
                + "\n"
            )
            for action_id, target, error in store.conn.execute(
                "SELECT id, target, last_error FROM cleanup_actions WHERE last_error IS NOT NULL "
                "AND state IN ('failed', 'done', 'queued') ORDER BY updated_at DESC LIMIT 5"
            ):
                ctx.out.write(f"  #{action_id} {target}: {error}\n")
        backups = store.conn.execute("SELECT COUNT(*) FROM backups").fetchone()[0]
        ctx.out.write(f"{backups} backup(s) kept of what was deleted (in footprint export-data).\n")
    return EXIT_OK


def cmd_cleanup_tasks(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.manual import mark_done, mark_todo, refresh_verification, tasks_for

    with ctx.open_store() as store:
        if args.done:
            status = mark_done(store, args.done)
            ctx.out.write(f"Ticked: {status.task.title}.\n")
        if args.undo:
            status = mark_todo(store, args.undo)
            ctx.out.write(f"Unticked: {status.task.title}.\n")
        refresh_verification(store)
        statuses = tasks_for(store)
    marks = {"todo": "[ ]", "done": "[x]", "verified": "[✓]"}
    for status in statuses:
        ctx.out.write(
            f"{marks[status.state]} {status.task.id:<36} {display_name(status.task.platform)}: "
            f"{status.task.title}\n"
        )
        if args.verbose and status.state == "todo":
            for n, step in enumerate(status.task.steps, 1):
                ctx.out.write(f"      {n}. {step}\n")
            ctx.out.write(f"      {status.link}\n")
    ctx.out.write(
        "[x] = you did it, [✓] = footprint saw the setting change. Tick one: "
        "footprint cleanup tasks --done ID (--verbose shows the steps).\n"
    )
    return EXIT_OK


def cmd_cleanup_brokers(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.directory import broker_states, load_brokers, mark_broker

    with ctx.open_store() as store:
        if args.done:
            ctx.out.write(f"Ticked: {mark_broker(store, args.done, True).name}.\n")
        if args.undo:
            ctx.out.write(f"Unticked: {mark_broker(store, args.undo, False).name}.\n")
        done = broker_states(store)
    brokers = load_brokers()
    for broker in brokers:
        mark = "[x]" if broker.name in done else "[ ]"
        needs = f" (needs: {', '.join(broker.needs)})" if broker.needs else ""
        ctx.out.write(f"{mark} {broker.name:<24} {broker.priority:<8} {broker.optout_url}{needs}\n")
        if args.verbose:
            ctx.out.write(f"      find yourself: {broker.search_url}\n      {broker.expect}\n")
    ctx.out.write(
        f"{len(done)} of {len(brokers)} opt-outs done. US people-search sites; first check "
        "that a site lists you before giving it anything. Tick one: footprint cleanup "
        "brokers --done NAME\n"
    )
    return EXIT_OK


def cmd_cleanup_letter(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from footprint.cleanup.directory import render_letter
    from footprint.store.profile import get_profile

    with ctx.open_store() as store:
        letter = render_letter(args.law, args.to, get_profile(store), accounts=args.account or [])
    if args.out:
        target = Path(args.out).expanduser()
        if target.exists() and not args.force:
            raise InputError(f"{target} exists.", hint="Use --force to replace it.")
        target.write_text(letter, encoding="utf-8")
        ctx.out.write(f"Wrote the letter to {target}. Read it, then send it to {args.to}.\n")
    else:
        ctx.out.write(letter)
    return EXIT_OK


def cmd_cleanup_accounts(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.directory import found_accounts

    with ctx.open_store() as store:
        found = found_accounts(store)
    if not found:
        ctx.out.write(
            "No found accounts marked as yours. Sweep your usernames (footprint sweep), then "
            "mark what is yours (footprint claim SITE USERNAME mine).\n"
        )
        return EXIT_OK
    for site, handle, url, guide in found:
        ctx.out.write(f"{site} ({handle}){': ' + url if url else ''}\n")
        if guide is None:
            ctx.out.write("    no deletion guide: look for account settings on the site\n")
            continue
        how = f"email {guide.email}" if guide.email else guide.url
        ctx.out.write(f"    delete: {how}  [{guide.difficulty}]\n    {guide.notes}\n")
    return EXIT_OK


def cmd_cleanup_cancel(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.actions import cancel_pending

    with ctx.open_store() as store:
        n = cancel_pending(store)
    ctx.out.write(f"Cancelled {n} action(s) that had not run.\n")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cleanup.actions import verify_actions
    from footprint.cleanup.manual import refresh_verification
    from footprint.cleanup.verify import verify_found_accounts, verify_post_urls
    from footprint.net import options_from_store
    from footprint.progress import CancelToken
    from footprint.secrets import SecretStore

    with ctx.open_store() as store:
        options = options_from_store(store)
        token = CancelToken()
        confirmed, unconfirmed = asyncio.run(
            verify_actions(store, SecretStore(), options=options, token=token, everything=args.all)
        )
        accounts = verify_found_accounts(store)
        posts = asyncio.run(verify_post_urls(store, options=options, token=token))
        tasks = refresh_verification(store)
    ctx.out.write(f"Automated fixes re-checked: {confirmed} confirmed, {unconfirmed} not (yet).\n")
    if unconfirmed:
        ctx.out.write("  Their findings are open again; see footprint cleanup status.\n")
    ctx.out.write(
        f"Fixed by hand and now confirmed: {accounts.accounts_gone} old account(s) a sweep no "
        f"longer finds, {posts.posts_gone} post(s) whose page is gone, {tasks} task(s) whose "
        "setting now reads safe.\n"
    )
    still = accounts.still_there + posts.still_there
    if still:
        ctx.out.write(f"  {still} marked done still show up; have another look.\n")
    return EXIT_OK


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_store() as store:
        rows = store.conn.execute(
            "SELECT at, actor, action, details FROM audit_log ORDER BY id DESC LIMIT ?",
            (args.limit,),
        ).fetchall()
    for at, actor, action, details in reversed(rows):
        if args.format == "jsonl":
            record = {"at": at, "actor": actor, "action": action, "details": json.loads(details)}
            ctx.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            shown = ", ".join(f"{k}={v}" for k, v in json.loads(details).items())
            ctx.out.write(f"{at}  {actor:<9} {action:<18} {shown}\n")
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    cleanup = sub.add_parser("cleanup", help="plan and run fixes: deletions, settings")
    csub = cleanup.add_subparsers(title="actions", metavar="ACTION", required=True)
    plan = csub.add_parser("plan", help="plan automated fixes (changes nothing yet)")
    plan.add_argument("--finding", type=int, action="append", metavar="ID")
    plan.add_argument("--rule", metavar="RULE", help="findings of this rule (or rule prefix)")
    plan.add_argument("--platform", metavar="P")
    plan.add_argument("--older-than", metavar="AGE", help="bulk: posts older than 30d, 2y…")
    plan.add_argument("--keep", action="append", metavar="ID", help="bulk: never this item")
    plan.add_argument("--keep-replies", action="store_true", help="bulk: keep replies")
    plan.add_argument("--only-flagged", action="store_true", help="bulk: only posts with findings")
    plan.add_argument(
        "--keep-likes", type=int, metavar="N", help="bulk: keep posts with at least N likes"
    )
    plan.add_argument(
        "--overwrite",
        action="store_true",
        help="bulk, Reddit: replace the text before deleting, so later copies hold nothing",
    )
    plan.set_defaults(handler=cmd_cleanup_plan)
    run = csub.add_parser("run", help="run the plan: back up, fix, confirm")
    run.add_argument("--dry-run", action="store_true", help="show what would run")
    run.add_argument(
        "--no-wait", action="store_true", help="stop instead of waiting for a platform's limit"
    )
    run.set_defaults(handler=cmd_cleanup_run)
    status = csub.add_parser("status", help="what is planned, done, confirmed, failed")
    status.set_defaults(handler=cmd_cleanup_status)
    tasks = csub.add_parser("tasks", help="things to do by hand, where no API exists")
    tasks.add_argument("--done", metavar="ID", help="tick a task you did")
    tasks.add_argument("--undo", metavar="ID", help="untick a task")
    tasks.add_argument("--verbose", "-v", action="store_true", help="show the steps")
    tasks.set_defaults(handler=cmd_cleanup_tasks)
    brokers = csub.add_parser("brokers", help="opt out of US people-search sites")
    brokers.add_argument("--done", metavar="NAME", help="tick an opt-out you did")
    brokers.add_argument("--undo", metavar="NAME", help="untick it")
    brokers.add_argument("--verbose", "-v", action="store_true", help="how each one works")
    brokers.set_defaults(handler=cmd_cleanup_brokers)
    letter = csub.add_parser("letter", help="a GDPR or CCPA deletion request, from your profile")
    letter.add_argument("--to", required=True, metavar="COMPANY", help="who it goes to")
    letter.add_argument("--law", choices=("gdpr", "ccpa"), default="gdpr")
    letter.add_argument("--account", action="append", metavar="ACCOUNT", help="name an account")
    letter.add_argument("--out", metavar="FILE", help="write it to FILE")
    letter.add_argument("--force", action="store_true", help="replace FILE")
    letter.set_defaults(handler=cmd_cleanup_letter)
    found = csub.add_parser("accounts", help="how to delete the old accounts sweeps found")
    found.set_defaults(handler=cmd_cleanup_accounts)
    cancel = csub.add_parser("cancel", help="drop the actions that have not run")
    cancel.set_defaults(handler=cmd_cleanup_cancel)

    verify = sub.add_parser("verify", help="re-check that fixes still hold on the platforms")
    verify.add_argument(
        "--all", action="store_true", help="re-check every fix now, not only those due"
    )
    verify.set_defaults(handler=cmd_verify)
    log = sub.add_parser("log", help="the audit log: every connection, sync and fix")
    log.add_argument("--format", choices=("text", "jsonl"), default="text")
    log.add_argument("--limit", type=int, default=200)
    log.set_defaults(handler=cmd_log)
