"""Documents as PDFs from the command line: render, render-all, doctor."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Kam
from helpers import fill

from workflow.records.db import Database
from workflow.records.models import Render


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_render_writes_a_chinese_pdf_and_records_its_hash(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "visit-feedback")
    out = tmp_path / "拜访反馈报告.pdf"
    result = json.loads(kam("--json", "doc", "render", deal, "visit-feedback", "-o", str(out), lang="zh").stdout)
    data = out.read_bytes()
    assert result["sha256"] == hashlib.sha256(data).hexdigest() and result["version"] == 1
    text = pdf_text(out)
    assert "拜访反馈报告" in text and "包头鑫达物流有限公司" in text and "赵建国" in text
    assert "第1页/共2页" in text.replace(" ", "")
    with db.read() as s:
        assert [(r.sha256, r.lang) for r in s.query(Render)] == [(result["sha256"], "zh")]


def test_same_version_renders_to_the_same_bytes(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "negotiation-minutes")
    out = tmp_path / "minutes.pdf"
    first = kam.json("doc", "render", deal, "negotiation-minutes", "-o", str(out))["sha256"]
    again = kam.json("doc", "render", deal, "negotiation-minutes", "-o", str(out), "--force")["sha256"]
    assert first == again


def test_an_existing_file_is_kept_without_force(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "visit-feedback")
    out = tmp_path / "keep.pdf"
    out.write_bytes(b"mine")
    result = kam("doc", "render", deal, "visit-feedback", "-o", str(out))
    assert result.exit_code == 1 and "exists: use --force" in result.stderr
    assert out.read_bytes() == b"mine"


def test_english_labels(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "phone-invite-feedback")
    out = tmp_path / "invite.pdf"
    kam("doc", "render", deal, "phone-invite-feedback", "-o", str(out))
    assert "Phone invitation feedback" in pdf_text(out)


def test_render_all_writes_every_latest_version(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    for kind in ("phone-invite-feedback", "visit-feedback", "product-proposal"):
        fill(db, deal, kind)
    fill(db, deal, "visit-feedback")
    result = kam.json("doc", "render-all", deal, "-o", str(tmp_path / "pdf"), "--workers", "2")
    assert sorted(Path(r["path"]).name for r in result) == [
        f"{deal:04d}-phone-invite-feedback-v1.pdf",
        f"{deal:04d}-product-proposal-v1.pdf",
        f"{deal:04d}-visit-feedback-v2.pdf",
    ]
    for r in result:
        assert hashlib.sha256(Path(r["path"]).read_bytes()).hexdigest() == r["sha256"]
    with db.read() as s:
        assert s.query(Render).count() == 3


def test_render_errors_are_clear(kam: Kam, deal: int, tmp_path: Path) -> None:
    missing = kam("doc", "render", deal, "visit-feedback", "-o", str(tmp_path / "x.pdf"))
    assert missing.exit_code == 1 and f"opportunity {deal} has no visit-feedback" in missing.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_doctor_reports_everything_ok(kam: Kam) -> None:
    checks = {c["name"]: c for c in kam.json("doctor")}
    assert set(checks) == {"chinese-font", "pdf-subsetter", "weasyprint", "database", "integrity", "company"}
    assert all(c["ok"] for c in checks.values())


def test_doctor_says_how_to_fix_a_missing_font(kam: Kam, monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import fonts

    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    result = kam("doctor")
    assert result.exit_code == 1
    assert "✗ chinese-font" in result.stdout and "apt-get install fonts-noto-cjk" in result.stdout


def test_rendering_without_a_chinese_font_is_an_error(kam: Kam, db: Database, deal: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reports import fonts

    fill(db, deal, "visit-feedback")
    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    result = kam("doc", "render", deal, "visit-feedback", "-o", str(tmp_path / "boxes.pdf"))
    assert result.exit_code == 1 and "fonts-noto-cjk" in result.stderr
    assert not (tmp_path / "boxes.pdf").exists()


def test_a_missing_chinese_font_is_a_refusal_naming_kam_doctor(kam, db, deal, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No Chinese font: exit 1 with the fix and `kam doctor`, never "internal error"."""
    from reports import fonts

    fill(db, deal, "phone-invite-feedback")
    monkeypatch.setattr(fonts, "cjk_fonts", lambda: ())
    result = kam("doc", "render", deal, "phone-invite-feedback", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no Chinese font found (fc-list :lang=zh is empty); PDFs would print empty boxes. "
        "Fix: sudo apt-get install fonts-noto-cjk (see kam doctor)\n"
    )
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("missing", ["subsetter", "weasyprint"])
def test_a_missing_subsetter_or_renderer_is_a_refusal_naming_kam_doctor(kam, db, deal, monkeypatch, tmp_path, missing) -> None:  # type: ignore[no-untyped-def]
    from reports import fonts, pdf

    fill(db, deal, "phone-invite-feedback")
    if missing == "subsetter":
        monkeypatch.setattr(fonts, "harfbuzz_subset_library", lambda: None)
    else:
        monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
        pdf._fetcher_class.cache_clear()
    try:
        result = kam("doc", "render", deal, "phone-invite-feedback", "-o", str(tmp_path / "x.pdf"))
    finally:
        pdf._fetcher_class.cache_clear()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.rstrip().endswith("(see kam doctor)")
    assert "internal error" not in result.stderr


def test_the_render_holds_no_write_lock(kam, db, deal, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """While WeasyPrint runs, another connection can take SQLite's write lock at once: the render is outside any write."""
    import sqlite3

    import reports.pdf

    fill(db, deal, "phone-invite-feedback")
    real = reports.pdf.render_pdf
    seen = []

    def render_while_someone_writes(*args, **kwargs):  # type: ignore[no-untyped-def]
        other = sqlite3.connect(db.url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once ("database is locked") if a write is open
            other.execute("ROLLBACK")
            seen.append("free")
        finally:
            other.close()
        return real(*args, **kwargs)

    monkeypatch.setattr(reports.pdf, "render_pdf", render_while_someone_writes)
    result = kam("--json", "doc", "render", deal, "phone-invite-feedback", "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 0, result.output
    assert seen == ["free"]
    with db.read() as s:
        assert [r.path for r in s.query(Render)] == [str(tmp_path / "x.pdf")]  # recorded after, in its own write
