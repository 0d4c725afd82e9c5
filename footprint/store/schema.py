"""The SQL of each schema version.  Never edit a released version: add a migration.

Conventions: timestamps are ISO 8601 UTC text (``2026-01-31T12:00:00Z``); columns named
``raw``, ``evidence``, ``params``, ``details`` and ``sync_state`` hold JSON text; nothing
here ever holds a secret (``accounts.secret_ref`` is only the keyring entry's name).
"""

from __future__ import annotations

V1_SCHEMA: tuple[str, ...] = (
    """CREATE TABLE schema_version (
        version INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        applied_at TEXT NOT NULL
    )""",
    # The person: the identifiers they want checked (names, usernames, emails, phones, places).
    """CREATE TABLE person_identifiers (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        normalized TEXT NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE (kind, normalized)
    )""",
    """CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        handle TEXT NOT NULL,
        url TEXT,
        display_name TEXT,
        connection TEXT NOT NULL,
        secret_ref TEXT,
        status TEXT NOT NULL DEFAULT 'active',
        sync_state TEXT,
        last_sync_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (platform, handle)
    )""",
    """CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,
        catalog TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'finished', 'cancelled', 'failed')),
        total INTEGER,
        started_at TEXT NOT NULL,
        finished_at TEXT
    )""",
    """CREATE TABLE site_checks (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        site TEXT NOT NULL,
        username TEXT NOT NULL,
        category TEXT,
        url TEXT,
        status TEXT NOT NULL CHECK (status IN ('found', 'missing', 'unknown')),
        reason TEXT,
        http_status INTEGER,
        elapsed_ms INTEGER,
        checked_at TEXT NOT NULL,
        UNIQUE (sweep_id, site, username)
    )""",
    "CREATE INDEX site_checks_site ON site_checks (site, username)",
    # "mine / not mine", kept across sweeps.
    """CREATE TABLE site_claims (
        site TEXT NOT NULL,
        username TEXT NOT NULL,
        claim TEXT NOT NULL CHECK (claim IN ('mine', 'not_mine')),
        account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (site, username)
    )""",
    # Posts, comments, profile fields, settings observations, check-ins, login IPs...
    """CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        kind TEXT NOT NULL,
        platform_id TEXT NOT NULL,
        account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
        parent_id TEXT,
        title TEXT,
        text TEXT,
        created_at TEXT,
        url TEXT,
        visibility TEXT,
        source TEXT NOT NULL,
        raw TEXT,
        content_hash TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        gone_at TEXT,
        UNIQUE (platform, kind, platform_id)
    )""",
    "CREATE INDEX items_created_at ON items (created_at)",
    "CREATE INDEX items_account ON items (account_id)",
    """CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        rule_id TEXT NOT NULL,
        category TEXT NOT NULL,
        severity TEXT NOT NULL
            CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
        subject TEXT NOT NULL,
        item_id INTEGER REFERENCES items(id) ON DELETE CASCADE,
        account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
        evidence TEXT NOT NULL DEFAULT '[]',
        why TEXT,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN
            ('open', 'in_progress', 'done', 'verified', 'dismissed', 'snoozed')),
        state_reason TEXT,
        snoozed_until TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (rule_id, subject),
        CHECK (state != 'dismissed' OR state_reason IS NOT NULL),
        CHECK (state != 'snoozed' OR snoozed_until IS NOT NULL)
    )""",
    "CREATE INDEX findings_state ON findings (state, severity)",
    "CREATE INDEX findings_item ON findings (item_id)",
    """CREATE TABLE finding_events (
        id INTEGER PRIMARY KEY,
        finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        note TEXT
    )""",
    "CREATE INDEX finding_events_finding ON finding_events (finding_id)",
    """CREATE TABLE cleanup_actions (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        finding_id INTEGER REFERENCES findings(id) ON DELETE SET NULL,
        account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
        platform TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        params TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL CHECK (state IN
            ('planned', 'queued', 'running', 'done', 'verified', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        done_at TEXT,
        verified_at TEXT
    )""",
    "CREATE INDEX cleanup_actions_state ON cleanup_actions (state, not_before)",
    # Full copies of what a destructive action is about to remove: no backup, no delete.
    """CREATE TABLE backups (
        id INTEGER PRIMARY KEY,
        item_id INTEGER REFERENCES items(id) ON DELETE SET NULL,
        action_id INTEGER REFERENCES cleanup_actions(id) ON DELETE SET NULL,
        platform TEXT NOT NULL,
        kind TEXT NOT NULL,
        platform_id TEXT NOT NULL,
        text TEXT,
        raw TEXT,
        taken_at TEXT NOT NULL
    )""",
    """CREATE TABLE score_snapshots (
        id INTEGER PRIMARY KEY,
        taken_at TEXT NOT NULL,
        score REAL NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '{}'
    )""",
)

V2_SCHEMA: tuple[str, ...] = (
    """CREATE VIRTUAL TABLE items_fts USING fts5 (
        title, text, content='items', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    # New rows are indexed in bulk by upsert_items (a per-row trigger made imports 2x slower);
    # edits and deletes keep the index right through these triggers.
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
        INSERT INTO items_fts (items_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    # Preferences that are not secrets (proxy, catalog URL, window state...).
    """CREATE TABLE app_settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)

V3_SCHEMA: tuple[str, ...] = (
    # One row per `footprint import` run: what came in, from which files.
    """CREATE TABLE imports (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        sources TEXT NOT NULL DEFAULT '[]',
        platforms TEXT,
        inserted INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        details TEXT NOT NULL DEFAULT '{}'
    )""",
)

V4_SCHEMA: tuple[str, ...] = (
    # The content hash an item had when the checklist last evaluated it: a scan only looks
    # at items whose hash changed since (and at everything when the rules change).
    "ALTER TABLE items ADD COLUMN checked_hash TEXT",
    # A short title and structured details (deep link, safe value, model probability...).
    "ALTER TABLE findings ADD COLUMN title TEXT",
    "ALTER TABLE findings ADD COLUMN details TEXT NOT NULL DEFAULT '{}'",
    "CREATE INDEX findings_category ON findings (category, severity)",
)

V6_SCHEMA: tuple[str, ...] = (
    # How many likes (favourites, score, points) an item had when last read through an
    # API: kept apart from the content hash, because it changes on every read.  Bulk
    # cleanup keeps well-liked posts by it.
    "ALTER TABLE items ADD COLUMN likes INTEGER",
)

V5_SCHEMA: tuple[str, ...] = (
    # Which catalog (by fingerprint) and options a sweep ran with: a rerun resumes only a
    # sweep of the same catalog.
    "ALTER TABLE sweeps ADD COLUMN catalog_fingerprint TEXT",
    "ALTER TABLE sweeps ADD COLUMN options TEXT NOT NULL DEFAULT '{}'",
    "CREATE INDEX sweeps_username ON sweeps (username, state)",
    # What was requested and why a verdict is what it is (canary result, retries...).
    "ALTER TABLE site_checks ADD COLUMN check_url TEXT",
    "ALTER TABLE site_checks ADD COLUMN detail TEXT",
    # The canary probe: a random nonsense username checked against a site; if it comes
    # back "found", the site's check is broken.  Cached per site and check definition.
    """CREATE TABLE site_health (
        site_key TEXT NOT NULL,
        check_hash TEXT NOT NULL,
        canary TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('found', 'missing', 'unknown')),
        reason TEXT,
        http_status INTEGER,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (site_key, check_hash)
    )""",
)

V7_SCHEMA: tuple[str, ...] = (
    # The latest answer of each exposure check: a breach search or a Gravatar lookup for
    # one of the person's emails, or a search of their name the person says they ran.
    # ``result`` is JSON (breach names, the profile's public fields, the person's note).
    """CREATE TABLE exposure_checks (
        kind TEXT NOT NULL CHECK (kind IN ('breaches', 'gravatar', 'search')),
        target TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('found', 'clear', 'done')),
        result TEXT NOT NULL DEFAULT '{}',
        checked_at TEXT NOT NULL,
        PRIMARY KEY (kind, target)
    )""",
    # Have I Been Pwned's public breach catalogue, one breach per row (its JSON as sent),
    # to explain each breach an email appears in.
    """CREATE TABLE breach_catalog (
        name TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    )""",
)
