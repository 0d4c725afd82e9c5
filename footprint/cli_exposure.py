"""``footprint exposure …``: breaches, passwords, Gravatar and searching yourself."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from footprint.errors import InputError

if TYPE_CHECKING:
    from footprint.cli import Context
    from footprint.exposure.checks import CheckProgress
    from footprint.store import Store

EXIT_OK, EXIT_FOUND = 0, 1


def _network(store: Store, args: argparse.Namespace) -> Any:
    from footprint.net import options_from_store

    return options_from_store(store, proxy=getattr(args, "proxy", None))


def _progress(ctx: Context) -> Any:
    def show(p: CheckProgress) -> None:
        if p.target:
            ctx.err.write(f"  checking {p.target} ({p.done + 1} of {p.total})…\n")

    return show


def _scan_after(store: Store, ctx: Context, args: argparse.Namespace) -> None:
    if not getattr(args, "no_scan", False):
        from footprint.cli import _run_scan

        _run_scan(store, ctx, full=False)


def cmd_exposure_status(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.exposure.checks import key_status, latest_checks, profile_emails
    from footprint.exposure.search import searches_due
    from footprint.secrets import SecretStore

    with ctx.open_store() as store:
        emails = profile_emails(store)
        breaches = latest_checks(store, "breaches")
        gravatar = latest_checks(store, "gravatar")
        due = searches_due(store)
        has_key = key_status(store, SecretStore())
    w = ctx.out.write
    w(f"Have I Been Pwned key: {'saved in your keyring' if has_key else 'not set'}\n")
    if not emails:
        w("Your profile has no email address: add one to check breaches and Gravatar.\n")
    for email in emails:
        b = breaches.get(email)
        g = gravatar.get(email)
        b_text = (
            f"{len(b[1].get('breaches', []))} breach(es), checked {b[2][:10]}"
            if b
            else "breaches not checked"
        )
        g_text = (
            ("public Gravatar profile" if g[0] == "found" else "no public Gravatar profile")
            + f", checked {g[2][:10]}"
            if g
            else "Gravatar not checked"
        )
        w(f"  {email}: {b_text}; {g_text}\n")
    w(f"Searches to run: {len(due)} (footprint exposure search)\n")
    return EXIT_OK


def cmd_exposure_key(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.cli_accounts import _read_secret
    from footprint.exposure.checks import forget_key, save_key
    from footprint.exposure.hibp import KEY_PAGE
    from footprint.secrets import SecretStore

    secrets = SecretStore()
    with ctx.open_store() as store:
        if args.forget:
            gone = forget_key(store, secrets)
            ctx.out.write("Removed the key from your keyring.\n" if gone else "No key was saved.\n")
            return EXIT_OK
        if not args.stdin:
            ctx.err.write(f"Your own Have I Been Pwned API key ({KEY_PAGE}); it is not shown.\n")
        save_key(store, secrets, _read_secret(ctx, "API key", args.stdin))
    ctx.out.write("Saved in your keyring. Check your emails with: footprint exposure breaches\n")
    return EXIT_OK


def cmd_exposure_breaches(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.exposure.checks import cached_breaches, check_breaches
    from footprint.exposure.hibp import describe_classes
    from footprint.secrets import SecretStore

    with ctx.open_store() as store:
        try:
            results = asyncio.run(
                check_breaches(
                    store,
                    SecretStore(),
                    emails=args.emails or None,
                    options=_network(store, args),
                    progress=_progress(ctx),
                )
            )
        except BaseException:
            _scan_after(store, ctx, args)  # what was saved before the failure counts
            raise
        catalogue = cached_breaches(store.conn, [n for r in results for n in r.names])
        for result in results:
            if result.error:
                ctx.out.write(f"{result.email}: not checked: {result.error}\n")
                continue
            if not result.found:
                ctx.out.write(f"{result.email}: in no known breach.\n")
                continue
            ctx.out.write(f"{result.email}: in {len(result.names)} breach(es):\n")
            for name in result.names:
                b = catalogue.get(name)
                if b is None:
                    ctx.out.write(f"  - {name}\n")
                    continue
                ctx.out.write(
                    f"  - {b.title} ({b.breach_date[:7]}, {b.pwn_count:,} accounts): "
                    f"{describe_classes(b.data_classes, 8)}\n"
                )
        _scan_after(store, ctx, args)
    return EXIT_FOUND if any(r.found for r in results) and args.exit_code else EXIT_OK


def cmd_exposure_gravatar(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.exposure.checks import check_gravatar, gravatar_key
    from footprint.secrets import SecretStore

    with ctx.open_store() as store:
        try:
            results = asyncio.run(
                check_gravatar(
                    store,
                    emails=args.emails or None,
                    key=gravatar_key(store, SecretStore()),
                    options=_network(store, args),
                    progress=_progress(ctx),
                )
            )
        except BaseException:
            _scan_after(store, ctx, args)
            raise
        for result in results:
            if result.found:
                ctx.out.write(
                    f"{result.email}: a public Gravatar profile ({result.url or 'no address'}) "
                    f"shows: {', '.join(result.names)}\n"
                )
            else:
                ctx.out.write(f"{result.email}: no public Gravatar profile.\n")
        if any(r.partial for r in results):
            ctx.out.write(
                "Checked without a Gravatar API key: contact details, links and wallets are "
                "left out (anyone with a free key sees them). Connect Gravatar with a key to "
                "include them: footprint connect gravatar EMAIL --token-stdin\n"
            )
        _scan_after(store, ctx, args)
    return EXIT_OK


def cmd_exposure_password(args: argparse.Namespace, ctx: Context) -> int:
    """Check passwords against Pwned Passwords; nothing is stored, printed or logged."""
    from footprint.exposure.checks import check_password
    from footprint.logs import register_secret

    if args.stdin:
        passwords = [line.rstrip("\r\n") for line in ctx.stdin]
        passwords = [p for p in passwords if p]
    else:
        import getpass

        ctx.err.write(
            "Type the password to check. Only the first 5 characters of its SHA-1 hash "
            "leave this computer; nothing is stored.\n"
        )
        passwords = [getpass.getpass("Password: ")]
    if not passwords or not all(passwords):
        raise InputError("No password was given.")
    for p in passwords:
        register_secret(p)
    with ctx.open_store() as store:
        options = _network(store, args)

    async def check_all() -> list[int]:
        return [await check_password(p, options=options) for p in passwords]

    counts = asyncio.run(check_all())
    passwords.clear()
    pwned = 0
    for index, count in enumerate(counts, start=1):
        label = f"Password {index}" if len(counts) > 1 else "This password"
        if count:
            pwned += 1
            ctx.out.write(
                f"{label}: seen {count:,} times in breaches. Do not use it anywhere; change "
                "it wherever you do.\n"
            )
        else:
            ctx.out.write(f"{label}: not found in known breaches.\n")
    return EXIT_FOUND if pwned and args.exit_code else EXIT_OK


def cmd_exposure_search(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.exposure.search import load_guide, planned_searches, record_search

    guide = load_guide()
    with ctx.open_store() as store:
        if args.done:
            found = True if args.found else False if args.nothing else None
            search = record_search(store, args.done, found=found, note=args.note or "")
            ctx.out.write(
                f"Noted: you searched {search.query}. footprint asks again in "
                f"{guide.every_days} days.\n"
            )
            return EXIT_OK
        searches = planned_searches(store.conn, guide)
    if not searches:
        ctx.out.write(
            'Add your name to your profile first: footprint profile add name "Your Name"\n'
        )
        return EXIT_OK
    if args.open:
        import webbrowser

        for search in searches:
            webbrowser.open(search.links[0][1])
    w = ctx.out.write
    w("Search yourself as a recruiter would. footprint never runs these searches; it opens\n")
    w("them in your browser (--open) and remembers when you did them.\n\n")
    for step in guide.steps:
        w(f"  • {step}\n")
    w("\n")
    for search in searches:
        when = f"last searched {search.last_done[:10]}" if search.last_done else "not yet searched"
        w(f"{search.label}: {search.query}  ({when})\n")
        if search.note:
            w(f"    your note: {search.note}\n")
        for engine, url in search.links:
            w(f"    {engine}: {url}\n")
    w("\nWhen you have searched: footprint exposure search --done 'QUERY' [--found|--nothing]\n")
    if guide.removals:
        w("\nTo have results removed:\n")
        for removal in guide.removals:
            w(f"  {removal.name}: {removal.url}\n    {removal.why}\n")
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    exposure = sub.add_parser(
        "exposure",
        help="breaches, leaked passwords, Gravatar, and searching yourself",
        description="Check the person's own emails against Have I Been Pwned (with their own "
        "API key) and Gravatar, check passwords against Pwned Passwords (only a 5-character "
        "hash prefix is sent), and guide searching one's name as a recruiter would.",
    )
    exposure.set_defaults(handler=cmd_exposure_status)
    esub = exposure.add_subparsers(title="checks", metavar="CHECK")
    status = esub.add_parser("status", help="what was checked, and when")
    status.set_defaults(handler=cmd_exposure_status)
    key = esub.add_parser("key", help="save your own Have I Been Pwned API key (keyring)")
    key.add_argument("--stdin", action="store_true", help="read the key from standard input")
    key.add_argument("--forget", action="store_true", help="remove the saved key")
    key.set_defaults(handler=cmd_exposure_key)
    for name, handler, text in (
        ("breaches", cmd_exposure_breaches, "which breaches hold your emails (needs your key)"),
        ("gravatar", cmd_exposure_gravatar, "what the Gravatar profile of each email shows"),
    ):
        p = esub.add_parser(name, help=text)
        p.add_argument("emails", nargs="*", metavar="EMAIL", help="default: your profile's")
        p.add_argument("--no-scan", action="store_true", help="do not update the findings")
        p.add_argument("--proxy", metavar="URL")
        if name == "breaches":
            p.add_argument(
                "--exit-code", action="store_true", help="exit 1 when an email is in a breach"
            )
        p.set_defaults(handler=handler)
    pw = esub.add_parser("password", help="is a password in known breaches? (never stored or sent)")
    pw.add_argument("--stdin", action="store_true", help="read passwords, one per line")
    pw.add_argument("--exit-code", action="store_true", help="exit 1 when one is breached")
    pw.add_argument("--proxy", metavar="URL")
    pw.set_defaults(handler=cmd_exposure_password)
    search = esub.add_parser("search", help="search yourself as a recruiter would (guided)")
    search.add_argument("--open", action="store_true", help="open the searches in your browser")
    search.add_argument("--done", metavar="QUERY", help="say you ran this search")
    found = search.add_mutually_exclusive_group()
    found.add_argument("--found", action="store_true", help="…and found something to fix")
    found.add_argument("--nothing", action="store_true", help="…and found nothing to fix")
    search.add_argument("--note", metavar="TEXT", help="what you found (kept locally)")
    search.set_defaults(handler=cmd_exposure_search)
