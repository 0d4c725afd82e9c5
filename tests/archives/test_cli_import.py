from __future__ import annotations

from footprint.cli import main
from tests.archives import builders


def test_import_command_prints_a_summary(capsys, tmp_path):
    path = builders.x_archive(tmp_path)
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "X (Twitter) archive" in out and "3 posts" in out and "new" in out
    assert "Skipped 1 photos, videos and other media" in out
    assert main(["import", str(path)]) == 0
    assert "0 new, 0 updated" in capsys.readouterr().out


def test_import_command_reports_a_broken_export(capsys, tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 truncated")
    assert main(["import", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "broken.zip" in err and "Nothing was imported" in err and "Traceback" not in err
