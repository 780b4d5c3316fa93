"""The company's letterhead: `kam company set/show`, stored in the database (the ledger), checked logos, the doctor."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from conftest import Kam
from helpers import fill
from PIL import Image
from sqlalchemy import text

from workflow.records.db import Database


def png(path: Path, size: tuple[int, int] = (600, 240), mode: str = "RGBA") -> Path:
    Image.new(mode, size, (31, 58, 95, 255) if mode == "RGBA" else 0).save(path, "PNG")
    return path


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_built_in_default_until_set(kam: Kam) -> None:
    kam("init")
    shown = kam.json("company", "show")
    assert (shown["source"], shown["name"], shown["department"], shown["logo"]) == ("default", "福田汽车", "大客户部", None)
    doctor = kam("doctor", lang="zh")
    assert "✓ company        福田汽车 大客户部（内置默认值）" in doctor.stdout
    assert "  内置默认值：用 kam company set --name 名称 --address 地址 --logo 标志.png 设置本公司信息" in doctor.stdout
    assert "(the built-in default)" in kam("doctor").stdout


def test_set_show_and_the_letterhead_on_every_pdf(kam: Kam, db: Database, deal: int, tmp_path: Path) -> None:
    result = kam("company", "set", "--name", "北汽福田汽车股份有限公司", "--short-name", "福田汽车", "--address", "北京市昌平区沙阳路",
                 "--phone", "010-80708888", "--website", "www.foton.com.cn", "--logo", str(png(tmp_path / "logo.png")), lang="zh")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == ["已更新公司信息", "公司名称    北汽福田汽车股份有限公司", "简称        福田汽车"]
    shown = kam.json("company", "show")
    assert shown["source"] == "database" and shown["department"] == "大客户部"  # the first set starts from the default
    assert shown["logo"]["type"] == "image/png" and len(shown["logo"]["sha256"]) == 64
    assert [(h["seq"], h["action"]) for h in shown["history"]] == [(1, "company-set")]
    assert "✓ company        福田汽车 大客户部\n" in kam("doctor", lang="zh").stdout
    fill(db, deal, "exchange-minutes")
    out = tmp_path / "minutes.pdf"
    assert kam("doc", "render", deal, "exchange-minutes", "-o", str(out)).exit_code == 0
    printed = pdf_text(out)
    assert "北汽福田汽车股份有限公司" in printed and "010-80708888" in printed and "福田汽车 大客户部" in printed


def test_only_what_is_given_changes_and_empty_clears(kam: Kam, tmp_path: Path) -> None:
    kam("company", "set", "--name", "甲公司", "--phone", "123")
    kam("company", "set", "--phone", "", "--address", "包头")
    shown = kam.json("company", "show")
    assert (shown["name"], shown["phone"], shown["address"]) == ("甲公司", None, "包头")
    assert [h["action"] for h in shown["history"]] == ["company-set", "company-edit"]
    assert shown["history"][1]["changes"] == {"address": [None, "包头"], "phone": ["123", None]}


def test_the_logo_is_re_encoded_before_it_is_stored(kam: Kam, db: Database, tmp_path: Path) -> None:
    photo = tmp_path / "logo.jpg"
    image = Image.new("RGB", (2400, 1000), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    image.save(photo, "JPEG", exif=exif.tobytes())
    assert kam("company", "set", "--logo", str(photo)).exit_code == 0
    with db.engine.connect() as conn:
        stored = conn.execute(text("SELECT data FROM blobs")).scalar()
    assert stored != photo.read_bytes() and b"SecretCamera" not in stored
    assert Image.open(io.BytesIO(stored)).size == (1200, 500)  # at most 1,200 px a side
    assert kam("company", "set", "--no-logo").exit_code == 0
    assert kam.json("company", "show")["logo"] is None


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:9/x"/></svg>')
    (tmp_path / "fake.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not an image")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1024 * 1024))
    (tmp_path / "folder").mkdir()
    return {
        "svg": (tmp_path / "logo.svg", "logo.svg: SVG is not accepted as a logo (it can hold scripts and external references): export it as PNG"),
        "40000 px": (png(tmp_path / "wide.png", (40000, 20), "1"), "wide.png: the image is 40000×20 px; a logo needs 16-5000 px a side: resize it"),
        "not an image": (tmp_path / "fake.png", "fake.png: cannot be read as an image (damaged, or not what it claims to be): export it again as PNG or JPEG"),
        "text": (tmp_path / "notes.txt", "notes.txt: is not a PNG or JPEG image: give the logo as a PNG or JPEG"),
        "empty": (tmp_path / "empty.png", "empty.png: is empty: give the logo as a PNG or JPEG"),
        "over 1 MB": (tmp_path / "big.png", "big.png is 1,048,584 bytes, over the 1 MB (1,048,576 bytes) limit for the logo: make it smaller"),
        "folder": (tmp_path / "folder", "folder is a folder: give the logo file itself"),
    }


@pytest.mark.parametrize("case", ["svg", "40000 px", "not an image", "text", "empty", "over 1 MB", "folder", "missing"])
def test_a_bad_logo_is_refused_naming_the_file_and_nothing_is_stored(kam: Kam, db: Database, tmp_path: Path, case: str) -> None:
    kam("company", "set", "--name", "甲公司")
    path, message = _bad_files(tmp_path)[case] if case != "missing" else (tmp_path / "nope.png", "")
    result = kam("company", "set", "--address", "包头", "--logo", str(path))
    assert result.exit_code == 1
    expected = f"no file at {path}: check the path" if case == "missing" else f"{tmp_path}/{message}"
    assert result.stderr.strip().splitlines() == [f"Error: {expected}"]
    assert kam.json("company", "show")["address"] is None  # nothing stored, not even the address


def test_nothing_to_change(kam: Kam) -> None:
    result = kam("company", "set")
    assert result.exit_code == 1 and "nothing to change: e.g. kam company set --name NAME" in result.stderr


@pytest.mark.parametrize("value", ["甲\x1b[31m公司", "甲\u202e公司"])
def test_control_characters_are_refused(kam: Kam, value: str) -> None:
    result = kam("company", "set", "--name", value)
    assert result.exit_code == 1 and result.stderr.startswith("Error: the name: “甲<U+")
    assert "at position 2, which kam cannot store or print: remove it" in result.stderr


def test_the_audit_names_a_letterhead_or_logo_changed_outside_kam(kam: Kam, db: Database, tmp_path: Path) -> None:
    kam("company", "set", "--name", "甲公司", "--logo", str(png(tmp_path / "logo.png")))
    assert kam("audit", "verify").exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE company SET phone = '999'"))
    result = json.loads(kam("--json", "audit", "verify").stdout)
    assert [(b["subject"], b["problem"], b["entity"]) for b in result["ledger_breaks"]] == [("company", "changed", "company")]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE company SET phone = NULL"))
        conn.execute(text("UPDATE blobs SET data = X'89504E470D0A1A0A00'"))
    broken = json.loads(kam("--json", "audit", "verify").stdout)["ledger_breaks"]
    assert [(b["subject"], b["detail"]) for b in broken] == [("company", "logo: the stored image was altered")]


def test_export_and_import_keep_the_letterhead(kam: Kam, tmp_path: Path) -> None:
    kam("company", "set", "--name", "甲公司", "--logo", str(png(tmp_path / "logo.png")))
    before = kam.json("company", "show")
    assert kam("export", str(tmp_path / "x.json")).exit_code == 0
    other = Kam(f"sqlite:///{tmp_path / 'other.sqlite3'}", kam.runner)
    assert other("import", str(tmp_path / "x.json")).exit_code == 0
    after = other.json("company", "show")
    assert {k: v for k, v in after.items() if k != "history"} == {k: v for k, v in before.items() if k != "history"}
    assert json.loads((tmp_path / "x.json").read_text())["tables"]["company"][0]["name"] == "甲公司"
