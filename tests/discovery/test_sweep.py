"""Sweeps in the store: saved as they arrive, resumed after a kill, canaries cached, claims."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from footprint.checklist.findings import list_findings
from footprint.checklist.scan import scan
from footprint.cli import main
from footprint.discovery.engine import SweepOptions
from footprint.discovery.sweep import found_profiles, set_claim, sweep
from footprint.discovery.variants import name_variants
from footprint.errors import InputError
from footprint.progress import CancelToken
from footprint.store import Store
from tests.discovery.conftest import make_site
from tests.sitesim import catalog_document

FAST = SweepOptions(timeout=5)


@pytest.fixture
def store(home):
    with Store.open(home) as s:
        yield s


def test_verdicts_land_in_the_store_with_progress(simulate, store):
    sites = [make_site("status"), make_site("text"), make_site("hang")]
    _sim, catalog = simulate(sites)
    seen = []
    run = sweep(store, ["alice"], catalog, SweepOptions(timeout=1), progress=seen.append)
    assert (run.counts.found, run.counts.missing, run.counts.unknown) == (2, 0, 1)
    assert seen[0].done == 0 and seen[-1].done == 3 and seen[-1].total == 3
    rows = store.conn.execute(
        "SELECT site, status, reason, http_status, check_url FROM site_checks ORDER BY site"
    ).fetchall()
    assert {r[0]: r[1] for r in rows} == {s.name: s.truth("alice") for s in sites}
    assert store.conn.execute("SELECT state FROM sweeps").fetchone()[0] == "finished"
    assert all(r[4].startswith("http://127.0.") for r in rows)


def test_a_cancelled_sweep_keeps_its_verdicts_and_resumes(simulate, store):
    quick = [make_site("status") for _ in range(4)]
    slow = [make_site("status", latency=2.0) for _ in range(3)]
    _sim, catalog = simulate(quick + slow)
    token = CancelToken()

    def progress(p):
        if p.done >= 4:
            token.cancel()

    first = sweep(store, ["alice"], catalog, FAST, progress=progress, cancel=token)
    assert first.cancelled and first.counts.done == 4
    state = store.conn.execute("SELECT state FROM sweeps").fetchone()[0]
    assert state == "cancelled"
    before = sum(s.hits["alice"] for s in quick)
    second = sweep(store, ["alice"], catalog, FAST)
    assert second.resumed == 4 and second.checked == 3 and not second.cancelled
    assert sum(s.hits["alice"] for s in quick) == before  # not asked twice
    assert store.conn.execute("SELECT COUNT(*) FROM sweeps").fetchone()[0] == 1
    assert {r["status"] for r in second.results} == {"found"} and len(second.results) == 7


def test_a_killed_process_leaves_what_it_found(simulate, home, tmp_path):
    quick = [make_site("status") for _ in range(3)]
    slow = [make_site("hang")]
    _sim, catalog = simulate(quick + slow)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog_document(quick + slow)))
    script = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["footprint", "sweep", "alice", "--catalog", {str(path)!r},
                    "--timeout", "60", "--format", "jsonl"]
        from footprint.cli import main
        main()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**__import__("os").environ, "FOOTPRINT_HOME": str(home)},
        text=True,
    )
    lines = [proc.stdout.readline() for _ in range(3)]  # three verdicts streamed
    time.sleep(0.8)  # past the half-second flush
    proc.kill()
    proc.wait()
    assert all(json.loads(line)["status"] == "found" for line in lines)
    with Store.open(home) as store:
        saved = store.conn.execute("SELECT COUNT(*) FROM site_checks").fetchone()[0]
        assert saved == 3
        assert store.conn.execute("SELECT state FROM sweeps").fetchone()[0] == "running"
        run = sweep(store, ["alice"], catalog, SweepOptions(timeout=0.5))
    assert run.resumed == 3 and run.checked == 1
    assert sum(s.hits["alice"] for s in quick) == 3


def test_transient_unknowns_are_asked_again_on_resume(simulate, store):
    site = make_site("throttle", fails=1, retry_after="0")
    _sim, catalog = simulate([site])
    first = sweep(store, ["alice"], catalog, SweepOptions(timeout=5, retries=0))
    assert first.results[0]["reason"] == "throttled"
    # mark the sweep unfinished (as a crash would) and run again: the site is re-asked
    store.conn.execute("UPDATE sweeps SET state = 'running'")
    second = sweep(store, ["alice"], catalog, FAST)
    assert second.resumed == 0 and second.results[0]["status"] == "found"


def test_canary_results_are_cached_between_sweeps(simulate, store):
    site = make_site("status", {"alice"})
    broken = make_site("broken")
    _sim, catalog = simulate([site, broken])
    first = sweep(store, ["alice"], catalog, FAST)
    assert first.requests == 4 and first.unreliable == [broken.name]
    cached = store.conn.execute("SELECT site_key, status FROM site_health").fetchall()
    assert sorted(s for _, s in cached) == ["found", "missing"]
    second = sweep(store, ["alice"], catalog, FAST)
    assert second.requests == 2  # no canary asked again
    by_site = {r["site"]: r for r in second.results}
    assert by_site[broken.name]["reason"] == "unreliable_check"
    assert by_site[site.name]["status"] == "found"


def test_mine_and_not_mine_are_kept_and_become_findings(simulate, store):
    a, b = make_site("status", {"alice"}), make_site("text", {"alice"})
    _sim, catalog = simulate([a, b])
    sweep(store, ["alice"], catalog, FAST)
    scan(store)
    possible = {
        f.details["site"]
        for f in list_findings(store, states=None)
        if f.rule == "account.possible-profile"
    }
    assert possible == {a.name, b.name}
    set_claim(store, a.name, "alice", "mine")
    set_claim(store, b.name, "alice", "not_mine")
    scan(store)
    rules = {(f.rule, f.details.get("site")) for f in list_findings(store, states=None)}
    assert ("account.forgotten-profile", a.name) in rules
    assert not any(site == b.name for _, site in rules)
    accounts = store.conn.execute("SELECT platform, handle, connection FROM accounts").fetchall()
    assert accounts == [(a.name.lower().replace("-", ""), "alice", "sweep")]
    # the decision survives a new sweep
    sweep(store, ["alice"], catalog, FAST)
    claims = {p.site: p.claim for p in found_profiles(store)}
    assert claims == {a.name: "mine", b.name: "not_mine"}
    # changing one's mind removes the account footprint created
    set_claim(store, a.name, "alice", "undecided")
    assert store.conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0
    with pytest.raises(InputError, match="No sweep found"):
        set_claim(store, "Nowhere", "alice", "mine")
    # a profile that is also connected or imported is shown as such
    from footprint.store.accounts import upsert_account

    upsert_account(store, b.name.lower().replace("-", ""), "alice", connection="import")
    assert {p.site: p.connected for p in found_profiles(store)} == {a.name: False, b.name: True}


def test_bad_usernames_are_refused_before_any_request(simulate, store):
    sim, catalog = simulate([make_site("status")])
    with pytest.raises(InputError, match="not a username"):
        sweep(store, ["../etc"], catalog, FAST)
    assert sim.requests == 0


def test_name_variants():
    got = name_variants(["Zoë O'Brien", "Jordan A. Reyes", "Cher"], usernames=["jreyes"])
    assert got[:4] == ["zoe.obrien", "zoeobrien", "zoe_obrien", "zoe-obrien"]
    assert "zobrien" in got and "jordan.reyes" in got and "cher" in got
    assert "jreyes" not in got  # already a username
    assert len(got) == len(set(got))


# ------------------------------------------------------------------ CLI


def test_cli_jsonl_contract(simulate, home, tmp_path, capsys):
    sites = [make_site("status"), make_site("redirect"), make_site("hang")]
    _sim, _catalog = simulate(sites)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(catalog_document(sites)))
    code = main(["sweep", "alice", "--catalog", str(path), "--timeout", "1", "--format", "jsonl"])
    assert code == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 3
    for record in records:
        assert {"site", "status", "url", "reason", "http_status", "elapsed_ms"} <= set(record)
    by_site = {r["site"]: r for r in records}
    assert by_site[sites[2].name]["status"] == "unknown"
    assert by_site[sites[2].name]["reason"] == "timeout"
    assert by_site[sites[0].name]["http_status"] == 200
    assert "2 found, 0 missing, 1 unknown" in err
    assert "did not answer in time" in err


def test_cli_table_found_and_claim(simulate, home, tmp_path, capsys):
    sites = [make_site("status"), make_site("text", {"bob"})]
    _sim, _catalog = simulate(sites)
    path = tmp_path / "c.json"
    path.write_text(json.dumps(catalog_document(sites)))
    assert main(["sweep", "alice", "--catalog", str(path), "--timeout", "2"]) == 0
    out, _ = capsys.readouterr()
    assert sites[0].name in out and sites[1].name not in out  # table lists what was found
    assert main(["found"]) == 0
    out, _ = capsys.readouterr()
    assert "undecided" in out and sites[0].name in out
    assert main(["claim", sites[0].name, "alice", "mine"]) == 0
    assert main(["found", "--format", "jsonl"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out.splitlines()[-1])["claim"] == "mine"


def test_cli_reports_catalog_errors_with_site_and_field(home, tmp_path, capsys):
    path = tmp_path / "bad.json"
    data = catalog_document([make_site("status")])
    data["sites"][0]["e_code"] = "two hundred"
    path.write_text(json.dumps(data))
    assert main(["sweep", "alice", "--catalog", str(path)]) == 2
    _, err = capsys.readouterr()
    assert "bad.json" in err and "'e_code'" in err and "two hundred" in err
    assert main(["catalog", "validate", str(path)]) == 2


def test_cli_refuses_bad_limits(home, capsys):
    assert main(["sweep", "alice", "--concurrency", "0"]) == 2
    assert main(["sweep", "alice", "--timeout", "-1"]) == 2
    assert main(["sweep", "alice", "--proxy", "ftp://nope"]) == 2
    _, err = capsys.readouterr()
    assert "proxy" in err
