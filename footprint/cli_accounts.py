"""``footprint connect / accounts / sync / disconnect``: API connections from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import webbrowser
from typing import TYPE_CHECKING, Any, TextIO

from footprint.errors import InputError
from footprint.platforms import display_name

if TYPE_CHECKING:
    from footprint.cli import Context
    from footprint.connectors.sync import SyncProgress
    from footprint.secrets import SecretStore
    from footprint.store import Store

EXIT_OK, EXIT_INTERRUPTED = 0, 130


def _read_secret(ctx: Context, what: str, from_stdin: bool) -> str:
    """A secret from standard input (piped) or typed without echo; never an argument."""
    if from_stdin:
        value = ctx.stdin.readline().strip()
    else:
        import getpass

        value = getpass.getpass(f"{what}: ").strip()
    if not value:
        raise InputError(f"No {what.lower()} was given.")
    from footprint.logs import register_secret

    register_secret(value)
    return value


def _network(store: Store, args: argparse.Namespace) -> Any:
    from footprint.net import options_from_store

    return options_from_store(store, proxy=getattr(args, "proxy", None))


def _endpoints(args: argparse.Namespace) -> dict[str, str]:
    endpoints: dict[str, str] = {}
    if getattr(args, "instance", None):
        from footprint.connectors.mastodon import instance_url

        endpoints["instance"] = instance_url(args.instance)
    if getattr(args, "service", None):
        endpoints["resolver"] = args.service.rstrip("/")
    return endpoints


def cmd_connect(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.connectors import connect, connector_class
    from footprint.secrets import SecretStore

    platform = args.platform.lower()
    cls = connector_class(platform)
    who = args.who or args.handle or ""
    secrets = SecretStore()
    with ctx.open_store() as store:
        network = _network(store, args)
        endpoints = _endpoints(args)
        secret: str | None = None
        if platform == "mastodon":
            if not endpoints.get("instance") and "@" not in who.strip("@"):
                raise InputError(
                    "Which Mastodon server is your account on?",
                    hint="footprint connect mastodon --instance your.server "
                    "(or give @you@your.server)",
                )
            if not args.public:
                secret = _mastodon_login(ctx, args, who, endpoints, network)
        elif platform == "reddit" and args.client_id:
            secret = _reddit_login(ctx, args)
        elif platform == "bluesky" and args.password_stdin:
            secret = _read_secret(ctx, "App password", True)
        elif args.token_stdin:
            secret = _read_secret(ctx, "Token", True)
        if platform == "gravatar" and not who:
            return _connect_gravatar(ctx, store, secrets, secret, network)
        if not who and platform != "mastodon":
            raise InputError(
                f"Which {display_name(platform)} account? Give your {cls.who}.",
                hint=f"footprint connect {platform} YOUR_{cls.who.upper().replace(' ', '_')}",
            )
        ctx.err.write(f"Checking {display_name(platform)} for {who or 'your account'}…\n")
        _, identity = asyncio.run(
            connect(
                store,
                secrets,
                platform,
                who,
                secret=secret,
                endpoints=endpoints,
                options=network,
            )
        )
    signed = " (signed in)" if identity.secret else " (public data only)"
    ctx.out.write(f"Connected {display_name(platform)} {identity.handle}{signed}.\n")
    if identity.secret:
        ctx.out.write("The sign-in is kept in your system keyring, never in footprint's files.\n")
    ctx.out.write(f"Fetch everything now with: footprint sync {platform}\n")
    return EXIT_OK


def _mastodon_login(
    ctx: Context, args: argparse.Namespace, who: str, endpoints: dict[str, str], network: Any
) -> str:
    from footprint.connectors import begin_mastodon_login, finish_mastodon_login
    from footprint.connectors.mastodon import instance_url, split_handle

    instance = endpoints.get("instance")
    if not instance:
        _, host = split_handle(who)
        instance = instance_url(host or "")
        endpoints["instance"] = instance
    request = asyncio.run(begin_mastodon_login(instance, network))
    ctx.err.write(
        "Sign in to your server in the browser and allow footprint (it reads your posts "
        "and settings; it deletes posts or changes settings only when you ask it to).\n"
        f"If no browser opens, visit:\n  {request.authorize_url}\n"
    )
    if not args.no_browser:
        webbrowser.open(request.authorize_url)
    ctx.err.write("Paste the authorization code shown by the server: ")
    ctx.err.flush()
    code = ctx.stdin.readline()
    return asyncio.run(finish_mastodon_login(request, code, network))


def _reddit_login(ctx: Context, args: argparse.Namespace) -> str:
    from footprint.connectors import begin_reddit_login, finish_reddit_login

    request = begin_reddit_login(args.client_id, args.redirect_uri)
    ctx.err.write(
        "Sign in to Reddit in the browser and allow your app (footprint reads your history "
        "and preferences; it deletes or changes things only when you ask it to).\n"
        f"If no browser opens, visit:\n  {request.authorize_url}\n"
        f"Waiting for Reddit to send the browser back to {request.redirect_uri} …\n"
    )
    if not args.no_browser:
        webbrowser.open(request.authorize_url)
    return asyncio.run(finish_reddit_login(request))


def _connect_gravatar(
    ctx: Context, store: Store, secrets: SecretStore, secret: str | None, network: Any
) -> int:
    from footprint.connectors import connect
    from footprint.connectors.errors import AccountNotFound
    from footprint.store.profile import get_profile

    emails = get_profile(store).of("email")
    if not emails:
        raise InputError(
            "Which email address? Gravatar profiles are found by email.",
            hint="footprint connect gravatar you@example.org, or add your emails to "
            "your profile: footprint profile add email …",
        )
    found = 0
    for email in emails:
        try:
            _, identity = asyncio.run(
                connect(store, secrets, "gravatar", email, secret=secret, options=network)
            )
        except AccountNotFound:
            ctx.out.write(f"{email}: no public Gravatar profile.\n")
            continue
        found += 1
        ctx.out.write(f"{email}: public Gravatar profile {identity.url or identity.handle}.\n")
    if found:
        ctx.out.write("Fetch what they show with: footprint sync gravatar\n")
    return EXIT_OK


def cmd_accounts(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.store.accounts import list_accounts

    with ctx.open_store() as store:
        accounts = list_accounts(store)
        counts = dict(
            store.conn.execute(
                "SELECT account_id, COUNT(*) FROM items WHERE account_id IS NOT NULL "
                "GROUP BY account_id"
            ).fetchall()
        )
    if not accounts:
        ctx.out.write(
            "No accounts yet. Connect one (footprint connect PLATFORM …), import an "
            "export (footprint import FILE) or sweep your usernames (footprint sweep).\n"
        )
        return EXIT_OK
    how = {"api": "connected", "import": "imported", "sweep": "found", "manual": "added"}
    ctx.out.write(f"{'PLATFORM':<16} {'ACCOUNT':<32} {'HOW':<10} {'ITEMS':>7}  LAST SYNC\n")
    for account in accounts:
        status = "" if account.status == "active" else f"  [{account.status}]"
        signed = " +sign-in" if account.secret_ref else ""
        ctx.out.write(
            f"{account.label[:16]:<16} {account.handle[:32]:<32} "
            f"{how.get(account.connection, account.connection) + signed:<10} "
            f"{counts.get(account.id, 0):>7}  {account.last_sync_at or '-'}{status}\n"
        )
    return EXIT_OK


class _SyncBar:
    def __init__(self, stream: TextIO) -> None:
        from footprint.cli import ProgressBar

        self.bar = ProgressBar(stream)
        self.stream = stream

    def __call__(self, p: SyncProgress) -> None:
        # The total is unknown until the end: the bar shows pages, the text the counts.
        self.bar.show(
            min(1.0, p.pages / 50),
            f"{p.account} {p.stream}: {p.items:,} fetched, {p.inserted:,} new, "
            f"{p.updated:,} changed",
        )


def cmd_sync(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.connectors import sync_accounts
    from footprint.connectors.sync import connected_accounts, load_account
    from footprint.errors import FootprintError
    from footprint.progress import CancelToken
    from footprint.secrets import SecretStore

    secrets = SecretStore()
    with ctx.open_store() as store:
        if args.handle and args.platform:
            accounts = [load_account(store, args.platform.lower(), args.handle)]
        else:
            accounts = connected_accounts(store, args.platform.lower() if args.platform else None)
        if not accounts:
            raise InputError(
                "No account is connected"
                + (f" on {display_name(args.platform)}." if args.platform else "."),
                hint="Connect one first: footprint connect PLATFORM …",
            )
        network = _network(store, args)
        bar = _SyncBar(ctx.err)
        token = CancelToken()
        ctx.err.write(
            f"Syncing {len(accounts)} account(s); only "
            + ", ".join(sorted({display_name(a.platform) for a in accounts}))
            + " are contacted.\n"
        )
        error: FootprintError | None = None
        try:
            results = asyncio.run(
                sync_accounts(
                    store,
                    secrets,
                    accounts,
                    full=args.full,
                    options=network,
                    progress=bar,
                    token=token,
                )
            )
        except KeyboardInterrupt:
            bar.bar.done()
            ctx.err.write(
                "\nInterrupted. What was fetched is saved; run the same command to continue.\n"
            )
            return EXIT_INTERRUPTED
        except FootprintError as exc:
            error = exc
            results = getattr(exc, "partial", [])
        finally:
            bar.bar.done()
        for result in results:
            streams = ", ".join(f"{k} {v}" for k, v in result.streams.items())
            ctx.out.write(
                f"{display_name(result.platform)} {result.account}: {result.inserted:,} new, "
                f"{result.updated:,} changed, {result.unchanged:,} unchanged "
                f"({result.requests} requests; {streams}).\n"
            )
            for note in result.notes:
                ctx.out.write(f"  note: {note}\n")
        if results and not args.no_scan:
            from footprint.cli import _run_scan

            _run_scan(store, ctx, full=False)
    if error is not None:
        raise error
    return EXIT_OK


def cmd_disconnect(args: argparse.Namespace, ctx: Context) -> int:
    from footprint.connectors import disconnect
    from footprint.connectors.sync import load_account
    from footprint.secrets import SecretStore

    secrets = SecretStore()
    with ctx.open_store() as store:
        account = load_account(store, args.platform.lower(), args.handle)
        removed = asyncio.run(
            disconnect(
                store,
                secrets,
                account,
                forget_items=args.forget_data,
                options=_network(store, args),
            )
        )
    ctx.out.write(
        f"Disconnected {display_name(account.platform)} {account.handle}; its sign-in was "
        "removed from the keyring.\n"
    )
    if args.forget_data:
        ctx.out.write(f"Removed {removed:,} fetched item(s).\n")
    else:
        ctx.out.write(
            "What footprint fetched stays (and stays checked); remove it with --forget-data.\n"
        )
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    from footprint.connectors import CONNECTORS

    platforms = sorted(CONNECTORS)
    connect = sub.add_parser(
        "connect",
        help="connect an account through the platform's API",
        description="Connect an account. Secrets (tokens, app passwords) are read from "
        "standard input or typed, never given as arguments, and kept in the system keyring.",
    )
    connect.add_argument("platform", choices=platforms, type=str.lower)
    connect.add_argument("who", nargs="?", help="username, handle, email or site:id")
    connect.add_argument("--handle", help="Bluesky handle (or Mastodon @you@server)")
    connect.add_argument("--instance", metavar="URL", help="Mastodon: your server")
    connect.add_argument(
        "--service", metavar="URL", help="Bluesky: the server that resolves your handle"
    )
    connect.add_argument(
        "--password-stdin", action="store_true", help="Bluesky: read an app password from stdin"
    )
    connect.add_argument(
        "--token-stdin",
        action="store_true",
        help="GitHub token / Gravatar API key from stdin",
    )
    connect.add_argument(
        "--public", action="store_true", help="Mastodon: do not sign in (public data only)"
    )
    connect.add_argument(
        "--client-id",
        metavar="ID",
        help="Reddit: sign in with your own approved app (installed app) to delete and "
        "change settings",
    )
    connect.add_argument(
        "--redirect-uri",
        metavar="URI",
        help="Reddit: your app's redirect address (default "
        "http://127.0.0.1:65010/authorize_callback)",
    )
    connect.add_argument("--no-browser", action="store_true", help="do not open a browser")
    connect.add_argument("--proxy", metavar="URL", help="use this proxy for this run")
    connect.set_defaults(handler=cmd_connect)

    accounts = sub.add_parser("accounts", help="list your accounts and how footprint knows them")
    accounts.set_defaults(handler=cmd_accounts)

    sync = sub.add_parser("sync", help="fetch posts, profile and settings of connected accounts")
    sync.add_argument("platform", nargs="?", choices=platforms, type=str.lower)
    sync.add_argument("--handle", help="only this account (when several are connected)")
    sync.add_argument("--full", action="store_true", help="re-read everything, not just new")
    sync.add_argument("--no-scan", action="store_true", help="do not run the checklist after")
    sync.add_argument("--proxy", metavar="URL", help="use this proxy for this run")
    sync.set_defaults(handler=cmd_sync)

    disconnect = sub.add_parser(
        "disconnect", help="stop syncing an account and delete its sign-in from the keyring"
    )
    disconnect.add_argument("platform", choices=platforms, type=str.lower)
    disconnect.add_argument("--handle", help="which account, when several are connected")
    disconnect.add_argument(
        "--forget-data", action="store_true", help="also remove what was fetched from it"
    )
    disconnect.set_defaults(handler=cmd_disconnect)
