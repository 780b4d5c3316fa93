"""Attachments as files: `kam attach add/list/get`, stored once by sha256, audited, exported, listed in PDFs, bundled."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import Kam
from helpers import fill
from PIL import Image
from sqlalchemy import text

from workflow.records.db import Database
from workflow.rules.files import MAX_ATTACHMENT_BYTES


def photo(path: Path, colour: tuple[int, int, int] = (30, 90, 160), size: tuple[int, int] = (1600, 1200)) -> Path:
    Image.new("RGB", size, colour).save(path, "JPEG", quality=85)
    return path


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def images(path: Path) -> int:
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines()) - 2


def errors(result) -> list[str]:  # type: ignore[no-untyped-def]
    return result.stderr.strip().splitlines()


def test_add_list_get_round_trip_byte_for_byte(kam: Kam, deal: int, tmp_path: Path) -> None:
    site = photo(tmp_path / "现场照片.jpg")
    tender = tmp_path / "招标文件.pdf"
    tender.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    added = kam.json("attach", "add", deal, str(site), str(tender), "--kind", "visit-feedback", "--note", "客户车场")
    assert [(a["id"], a["name"], a["media_type"], a["kind"], a["note"]) for a in added] == [
        (1, "现场照片.jpg", "image/jpeg", "visit-feedback", "客户车场"),
        (2, "招标文件.pdf", "application/pdf", "visit-feedback", "客户车场"),
    ]
    assert added[0]["sha256"] == hashlib.sha256(site.read_bytes()).hexdigest()
    listed = kam.json("attach", "list", deal)
    assert [a["id"] for a in listed] == [1, 2]
    out = tmp_path / "back.jpg"
    assert kam("attach", "get", "1", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == site.read_bytes()
    again = kam("attach", "get", "1", "-o", str(out))
    assert again.exit_code == 1 and "exists: use --force" in again.stderr
    table = kam("attach", "list", deal, lang="zh").stdout
    assert "现场照片.jpg" in table and "visit-feedback" in table and added[0]["sha256"][:12] in table


def test_the_same_file_twice_is_stored_once(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    site = photo(tmp_path / "a.jpg")
    kam("attach", "add", deal, str(site))
    kam("attach", "add", deal, str(site), "--name", "again.jpg", "--kind", "product-proposal")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM blobs")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar() == 2


def test_an_attachment_is_a_row_of_the_history(kam: Kam, deal: int, tmp_path: Path) -> None:
    kam("attach", "add", deal, str(photo(tmp_path / "a.jpg")))
    last = kam.json("opp", "history", deal)[-1]
    assert last["action"] == "attachment" and last["detail"]["name"] == "a.jpg" and last["detail"]["id"] == 1


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("over the limit", "big.bin is 20,971,521 bytes, over the 20 MB (20,971,520 bytes) limit for the attachment: make it smaller"),
        ("empty", "empty.jpg is empty: attach a file with content"),
        ("folder", "folder is a folder: give the attachment file itself"),
        ("missing", "no file at {tmp}/nope.jpg: check the path"),
        ("../ in the name", "a.jpg: the name '../../etc/passwd' cannot be kept: the name must not hold a path (/, \\ or ..); give it a plain file name (--name NAME)"),
        ("control character", "a.jpg: the name 'a\\x1bb.jpg' cannot be kept: the name holds the control or invisible character U+001B; give it a plain file name (--name NAME)"),
        ("unknown kind", "unknown document kind “visit”; choose one of: phone-invite-feedback, visit-feedback, product-proposal, exchange-minutes, evaluation-scorecard, negotiation-minutes, contract-review, service-plan"),
    ],
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_stored(kam: Kam, db: Database, deal: int, tmp_path: Path, case: str, expected: str) -> None:
    good = photo(tmp_path / "a.jpg")
    (tmp_path / "big.bin").write_bytes(bytes(MAX_ATTACHMENT_BYTES + 1))
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    args = {
        "over the limit": [str(good), str(tmp_path / "big.bin")],
        "empty": [str(good), str(tmp_path / "empty.jpg")],
        "folder": [str(good), str(tmp_path / "folder")],
        "missing": [str(good), str(tmp_path / "nope.jpg")],
        "../ in the name": [str(good), "--name", "../../etc/passwd"],
        "control character": [str(good), "--name", "a\x1bb.jpg"],
        "unknown kind": [str(good), "--kind", "visit"],
    }[case]
    result = kam("attach", "add", deal, *args)
    assert result.exit_code == 1
    where = f"{tmp_path}/" if not expected.startswith(("no file", "unknown")) else ""
    assert errors(result) == [f"Error: {where}{expected.format(tmp=tmp_path)}"]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM blobs")).scalar() == 0


def test_an_unknown_opportunity_or_attachment(kam: Kam, tmp_path: Path) -> None:
    kam("init")
    assert kam("attach", "add", "9", str(photo(tmp_path / "a.jpg"))).exit_code == 1
    missing = kam("attach", "get", "7", "-o", str(tmp_path / "x"))
    assert errors(missing) == ["Error: there is no attachment 7: see kam attach list OPPORTUNITY_ID"]


# -- the audit ----------------------------------------------------------------------------------

TAMPER = {
    "renamed": ("UPDATE attachments SET name = 'x.jpg'", "attachment-changed"),
    "file altered": ("UPDATE blobs SET data = X'FFD8FF00'", "attachment-changed"),
    "deleted": ("DELETE FROM attachments", "attachment-deleted"),
    "added outside kam": (
        "INSERT INTO attachments (opportunity_id, kind, name, media_type, size, sha256, actor, created_at) "
        "SELECT opportunity_id, kind, 'extra.jpg', media_type, size, sha256, actor, created_at FROM attachments",
        "attachment-unrecorded",
    ),
}


@pytest.mark.parametrize("case", TAMPER)
def test_the_audit_names_an_attachment_changed_outside_kam(kam: Kam, db: Database, deal: int, tmp_path: Path, case: str) -> None:
    kam("attach", "add", deal, str(photo(tmp_path / "a.jpg")))
    assert kam("audit", "verify").exit_code == 0
    statement, problem = TAMPER[case]
    with db.engine.begin() as conn:
        conn.execute(text(statement))
    result = kam("--json", "audit", "verify")
    assert result.exit_code == 1
    assert [(b["opportunity"], b["problem"]) for b in json.loads(result.stdout)["breaks"]] == [(deal, problem)]


# -- export and import ----------------------------------------------------------------------------


def test_attachments_round_trip_through_export_and_import(kam: Kam, deal: int, tmp_path: Path) -> None:
    site = photo(tmp_path / "a.jpg")
    kam("attach", "add", deal, str(site), "--kind", "visit-feedback")
    kam("export", str(tmp_path / "x.json"))
    exported = json.loads((tmp_path / "x.json").read_text())
    assert [b["sha256"] for b in exported["tables"]["blobs"]] == [hashlib.sha256(site.read_bytes()).hexdigest()]
    other = Kam(f"sqlite:///{tmp_path / 'other.sqlite3'}", kam.runner)
    assert other("import", str(tmp_path / "x.json")).exit_code == 0
    assert other("audit", "verify").exit_code == 0
    out = tmp_path / "back.jpg"
    assert other("attach", "get", "1", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == site.read_bytes()
    other("export", str(tmp_path / "y.json"))
    assert (tmp_path / "y.json").read_bytes() == (tmp_path / "x.json").read_bytes()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t["blobs"][0].update(data="AAAA"), "blobs[1]): the file's content does not match its sha256"),
        (lambda t: t["attachments"][0].update(name="../../x.jpg"), "attachments[1]): attachments[1].name: the name '../../x.jpg' cannot be kept"),
        (lambda t: t["attachments"][0].update(kind="../../tmp"), "attachments[1]): unknown document kind “../../tmp”"),
    ],
    ids=["file altered", "name with a path", "unknown kind"],
)
def test_an_import_checks_the_files(kam: Kam, deal: int, tmp_path: Path, edit, expected: str) -> None:  # type: ignore[no-untyped-def]
    kam("attach", "add", deal, str(photo(tmp_path / "a.jpg")))
    kam("export", str(tmp_path / "x.json"))
    data = json.loads((tmp_path / "x.json").read_text())
    edit(data["tables"])
    (tmp_path / "x.json").write_text(json.dumps(data))
    result = Kam(f"sqlite:///{tmp_path / 'other.sqlite3'}", kam.runner)("import", str(tmp_path / "x.json"))
    assert result.exit_code == 1 and f"the import file is not valid ({expected}" in result.stderr


# -- in the PDFs and render-all -------------------------------------------------------------------


def test_a_document_lists_its_attachments_and_the_internal_edition_shows_photos(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "product-proposal")
    site = photo(tmp_path / "车场.jpg")
    added = kam.json("attach", "add", deal, str(site), "--kind", "product-proposal", "--note", "客户车场")
    kam("attach", "add", deal, str(photo(tmp_path / "other.jpg", (200, 10, 10))), "--kind", "visit-feedback")
    customer, internal = tmp_path / "c.pdf", tmp_path / "i.pdf"
    kam("doc", "render", deal, "product-proposal", "-o", str(customer), lang="zh")
    kam("doc", "render", deal, "product-proposal", "--internal", "-o", str(internal), lang="zh")
    for path in (customer, internal):
        printed = pdf_text(path)
        assert "车场.jpg" in printed and added[0]["sha256"][:12] in printed and "other.jpg" not in printed
    assert images(customer) == 0 and images(internal) == 1
    assert "客户车场" in pdf_text(internal) and "客户车场" not in pdf_text(customer)


def test_render_all_writes_the_pdfs_the_attachments_and_sha256sums(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    for kind in ("visit-feedback", "product-proposal"):
        fill(db, deal, kind)
    kam("attach", "add", deal, str(photo(tmp_path / "现场 照片.jpg")), "--kind", "visit-feedback")
    kam("attach", "add", deal, str(photo(tmp_path / "scan.jpg", (9, 9, 9))), "--name", "..\u2028evil.jpg")  # refused
    kam("attach", "add", deal, str(photo(tmp_path / "scan.jpg", (9, 9, 9))))
    result = kam.json("doc", "render-all", deal, "-o", str(tmp_path / "out"), "--zip", str(tmp_path / "all.zip"), "--workers", "2")
    names = sorted(str(Path(r["path"]).relative_to(tmp_path / "out")) for r in result)
    assert names == [
        f"{deal:04d}-product-proposal-v1.pdf",
        f"{deal:04d}-visit-feedback-v1.pdf",
        f"attachments/{deal:04d}-1-现场-照片.jpg",
        f"attachments/{deal:04d}-2-scan.jpg",
    ]
    sums = (tmp_path / "out" / "SHA256SUMS").read_text()
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "out", capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == 4
    for r in result:
        assert f"{r['sha256']}  {Path(r['path']).relative_to(tmp_path / 'out')}\n" in sums
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        assert sorted(archive.namelist()) == sorted([*names, "SHA256SUMS"])
        assert archive.read("SHA256SUMS").decode() == sums
        for name in names:
            assert archive.read(name) == (tmp_path / "out" / name).read_bytes()


def test_render_all_as_a_zip_only_and_the_same_state_gives_the_same_zip(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    fill(db, deal, "visit-feedback")
    kam("attach", "add", deal, str(photo(tmp_path / "a.jpg")))
    assert kam("doc", "render-all", deal, "--zip", str(tmp_path / "a.zip")).exit_code == 0
    assert kam("doc", "render-all", deal, "--zip", str(tmp_path / "b.zip")).exit_code == 0
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    refused = kam("doc", "render-all", deal, "--zip", str(tmp_path / "a.zip"))
    assert refused.exit_code == 1 and "exists: use --force" in refused.stderr
    nowhere = kam("doc", "render-all", deal)
    assert nowhere.exit_code == 2 and "give -o DIR or --zip FILE (or both)" in nowhere.stderr


def test_a_photo_too_large_to_decode_safely_is_listed_without_a_thumbnail() -> None:
    from workflow.rules.files import thumbnail

    big = io.BytesIO()
    Image.new("1", (12000, 4000)).save(big, "PNG")  # 48 million pixels: over the PNG limit
    assert thumbnail(big.getvalue(), "image/png") is None
    assert thumbnail(b"\xff\xd8\xff broken", "image/jpeg") is None
    small = io.BytesIO()
    Image.new("RGBA", (800, 800), (1, 2, 3, 128)).save(small, "PNG")
    made = thumbnail(small.getvalue(), "image/png")
    assert made is not None and Image.open(io.BytesIO(made)).size == (450, 450)


# -- a team on PostgreSQL -------------------------------------------------------------------------


def _race_attach(url: str, opp_id: int, content: bytes, barrier, results) -> None:  # type: ignore[no-untyped-def]
    from workflow.operations import attachments

    db = Database(url)
    barrier.wait()
    try:
        with db.write() as s:
            attachments.add(s, opp_id, [attachments.Upload("same.jpg", content, "same.jpg")], actor="王磊")
        results.put("stored")
    except Exception as exc:  # the test reports anything but success
        results.put(f"{type(exc).__name__}: {exc}")
    finally:
        db.dispose()


@pytest.mark.postgres
def test_two_managers_attaching_the_same_file_at_once_store_it_once(pg_url: str, tmp_path: Path) -> None:
    import multiprocessing as mp

    from workflow.operations import accounts, opportunities
    from workflow.rules.process import load_process

    db = Database(pg_url)
    db.upgrade()
    with db.write() as s:
        account = accounts.create_account(s, name="甲", type="enterprise", account_class="A", industry="物流", fleet_size=1, actor="t")
        opp_id = opportunities.new_opportunity(s, load_process(), account.id, "x", owner="王磊", actor="王磊").id
    content = photo(tmp_path / "a.jpg").read_bytes()
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(4), ctx.Queue()
    workers = [ctx.Process(target=_race_attach, args=(pg_url, opp_id, content, barrier, results)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(results.get(timeout=5) for _ in workers) == ["stored"] * 4
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM blobs")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM attachments")).scalar() == 4
    with db.read() as s:
        from workflow.views.audit import audit

        assert audit(s).ok
    db.dispose()
