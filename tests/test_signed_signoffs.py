"""Signed approvals and the anchor (issue 13), end to end: kam user key, review approve --sign-with,
compliance: {signatures: required}, kam audit verify over the signatures, kam audit anchor / verify --anchor.

Keys are made by the real ssh-keygen. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Kam
from forms_fixtures import edit, load
from helpers import fill, walk_to
from sqlalchemy import text

from workflow.operations import accounts, opportunities
from workflow.operations import roster as roster_ops
from workflow.records.db import Database
from workflow.rules.process import Process

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen (openssh-client)")


def keygen(folder: Path, name: str, passphrase: str = "") -> Path:
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", str(path)], check=True)
    return path


def fingerprint(path: Path) -> str:
    return subprocess.run(["ssh-keygen", "-lf", str(path)], check=True, capture_output=True, text=True).stdout.split()[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    return db_url if request.param == "sqlite" else str(request.getfixturevalue("pg_url"))


@pytest.fixture
def run(url: str) -> Kam:
    return Kam(url, CliRunner())


@pytest.fixture
def deal(url: str, process: Process) -> int:
    """The roster (刘总 admin; 王磊 sells; a reviewer per department) and 王磊's deal awaiting its sign-offs."""
    db = Database(url)
    try:
        with db.write() as s:
            connection = s.connection()
            # on PostgreSQL the tests connect as postgres: the admin's role, who records for the others
            roster_ops.add_user(connection, process, "刘总", actor="刘总", login="postgres")
            roster_ops.add_user(connection, process, "王磊", actor="刘总", departments=["sales"])
            for name, department in (("赵敏", "sales"), ("钱进", "finance"), ("孙律", "legal"), ("李工", "production")):
                roster_ops.add_user(connection, process, name, actor="刘总", role="reviewer", departments=[department])
            acc = accounts.create_account(s, name="包头鑫达物流有限公司", type="enterprise", account_class="A", industry="物流", fleet_size=120, actor="王磊", region="内蒙古包头")
            accounts.add_contact(s, acc.id, "张华", actor="王磊", department="车管科", title="科长", role="技术选型决策人", influence="high", stance="supporter")
            opp_id = opportunities.new_opportunity(s, process, acc.id, "20 台牵引车", owner="王磊", actor="王磊", quantity=20).id
        walk_to(db, process, opp_id, "evaluation_negotiation")
        for kind in ("evaluation-scorecard", "negotiation-minutes", "contract-review"):
            fill(db, opp_id, kind)
        return opp_id
    finally:
        db.dispose()


@pytest.fixture
def qian(run: Kam, deal: int, tmp_path: Path) -> Path:
    """钱进's key, registered."""
    key = keygen(tmp_path, "qianjin")
    result = run("--actor", "钱进", "user", "key", "钱进", "--public-key", f"{key}.pub")
    assert result.exit_code == 0, result.output
    return key


def audit(run: Kam, *args: str) -> dict[str, Any]:
    return json.loads(run("--json", "audit", "verify", *args).stdout)  # type: ignore[no-any-return]


def execute(url: str, statement: str, **params: Any) -> None:
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text(statement), params)
    finally:
        db.dispose()


def test_a_reviewer_registers_a_key_and_signs_an_approval(run: Kam, deal: int, tmp_path: Path) -> None:
    key = keygen(tmp_path, "qianjin")
    result = run("--actor", "钱进", "user", "key", "钱进", "--public-key", f"{key}.pub", lang="zh")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"已登记 钱进 的公钥 {fingerprint(key)}（ssh-ed25519）：此后的签名审批用它核对\n"
    assert [k["fingerprint"] for k in next(u for u in run.json("user", "list") if u["name"] == "钱进")["keys"]] == [fingerprint(key)]
    result = run("--json", "--actor", "钱进", "review", "approve", deal, "--department", "finance", "--comment", "付款条件符合规定", "--sign-with", str(key))
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    assert json.loads(result.stdout)["key_fingerprint"] == fingerprint(key)
    data = audit(run)
    assert (data["ok"], data["signatures"], data["signature_problems"]) == (True, 1, [])
    assert "1 signed sign-off verified" in run("audit", "verify").stdout


def test_only_the_reviewer_or_an_admin_registers_a_key(run: Kam, deal: int, tmp_path: Path) -> None:
    key = keygen(tmp_path, "qianjin")
    result = run("--actor", "孙律", "user", "key", "钱进", "--public-key", f"{key}.pub")
    assert (result.exit_code, result.stderr) == (1, "Error: only 钱进 or an admin may register 钱进's key\n")
    assert run("--actor", "刘总", "user", "key", "钱进", "--public-key", f"{key}.pub").exit_code == 0
    result = run("--actor", "孙律", "user", "key", "孙律", "--public-key", f"{key}.pub")
    assert result.stderr == (
        f"Error: this key ({fingerprint(key)}) is already registered to 钱进: each person signs with their own key; "
        "make a new one with ssh-keygen -t ed25519\n"
    )


def test_a_key_that_is_not_ed25519_is_refused(run: Kam, deal: int, tmp_path: Path) -> None:
    path = tmp_path / "rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(path)], check=True)
    result = run("--actor", "钱进", "user", "key", "钱进", "--public-key", f"{path}.pub")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}.pub holds a key of type RSA, not a plain Ed25519 key")
    assert next(u for u in run.json("user", "list") if u["name"] == "钱进")["keys"] == []


def test_a_passphrase_is_asked_for_and_never_echoed(run: Kam, deal: int, tmp_path: Path) -> None:
    key = keygen(tmp_path, "qianjin", passphrase="正确的口令 horse")
    assert run("--actor", "钱进", "user", "key", "钱进", "--public-key", f"{key}.pub").exit_code == 0
    args = ("--actor", "钱进", "review", "approve", str(deal), "--department", "finance", "--sign-with", str(key))
    wrong = run(*args, input="hunter2-不对\n")
    assert wrong.exit_code == 1
    assert "hunter2" not in wrong.output
    assert wrong.stderr.startswith(f"Passphrase for {key}: \nError: ")
    right = run(*args, input="正确的口令 horse\n")
    assert right.exit_code == 0, right.output
    assert "正确的口令" not in right.output
    assert audit(run)["signatures"] == 1


def test_a_world_readable_key_file_is_warned_about(run: Kam, qian: Path, deal: int) -> None:
    os.chmod(qian, 0o644)
    result = run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian))
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: ")
    assert "chmod 600" in result.stderr


def test_a_key_other_than_the_registered_one_is_refused(run: Kam, qian: Path, deal: int, tmp_path: Path) -> None:
    other = keygen(tmp_path, "other")
    result = run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(other))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the key {other} ({fingerprint(other)}) is not the one 钱进 registered ({fingerprint(qian)}): sign with "
        "that key, or register the new one first with kam user key 钱进 --public-key NEW.pub\n"
    )
    result = run("--actor", "孙律", "review", "approve", deal, "--department", "legal", "--sign-with", str(other))
    assert result.stderr == "Error: 孙律 has no registered key to check the signature with: first kam user key 孙律 --public-key ~/.ssh/id_ed25519.pub\n"
    assert audit(run)["signatures"] == 0


def test_a_process_may_require_signed_approvals(run: Kam, url: str, qian: Path, deal: int, tmp_path: Path) -> None:
    from workflow.rules.process import BUILTIN

    strict = tmp_path / "strict.yaml"
    strict.write_text(Path(BUILTIN).read_text(encoding="utf-8") + "  signatures: required\n", encoding="utf-8")
    result = run("--process", str(strict), "--actor", "孙律", "review", "approve", deal, "--department", "legal")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: this process requires signed approvals (compliance.signatures: required): add --sign-with KEY_FILE, "
        "e.g. --sign-with ~/.ssh/id_ed25519\n",
    )
    ok = run("--process", str(strict), "--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian))
    assert ok.exit_code == 0, ok.output
    # an unsigned approval forged with a valid history row is named by the audit under that process
    assert audit(run, )["ok"] is True
    execute(url, "UPDATE signoffs SET signature = NULL, statement_version = NULL, key_fingerprint = NULL")
    data = json.loads(run("--json", "--process", str(strict), "audit", "verify").stdout)
    assert [(p["code"], p["department"]) for p in data["signature_problems"]] == [("unsigned", "finance")]


def test_a_signature_over_a_changed_row_fails(run: Kam, url: str, qian: Path, deal: int) -> None:
    assert run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--comment", "同意", "--sign-with", str(qian)).exit_code == 0
    execute(url, "UPDATE signoffs SET comment = '同意，无条件'")
    data = audit(run)
    assert data["ok"] is False
    assert [(p["code"], p["reviewer"]) for p in data["signature_problems"]] == [("signature", "钱进")]
    assert data["signature_problems"][0]["message"].startswith(f"opportunity {deal}: the finance sign-off by 钱进 on contract review v1: the signature does not verify")


def test_a_signature_over_a_changed_document_fails(run: Kam, url: str, qian: Path, deal: int) -> None:
    assert run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian)).exit_code == 0
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            data = conn.execute(text("SELECT data FROM documents WHERE kind = 'contract-review'")).scalar()
            if isinstance(data, str):
                data = json.loads(data)
            data["penalty_percent"] = 1
            conn.execute(text("UPDATE documents SET data = :d WHERE kind = 'contract-review'"), {"d": json.dumps(data, ensure_ascii=False)})
    finally:
        db.dispose()
    problems = audit(run)["signature_problems"]
    assert [p["code"] for p in problems] == ["signed-document"]
    assert "the document was changed after the sign-off" in problems[0]["message"]


@pytest.mark.parametrize(("at", "code"), [("2020-01-01 10:00:00", "signature-key"), ("2099-01-01 10:00:00", "signature")])
def test_a_forged_signoff_row_is_caught(run: Kam, url: str, qian: Path, deal: int, at: str, code: str) -> None:
    """Before 钱进 had a key it has none to check; after, the made-up signature does not verify."""
    execute(
        url,
        "INSERT INTO signoffs (opportunity_id, department, reviewer, decision, review_version, at, signature, statement_version, key_fingerprint, review_sha256) "
        "VALUES (:opp, 'finance', '钱进', 'approve', 1, :at, :sig, 'kam-signoff-v1', :fp, :sha)",
        opp=deal, at=at, sig="A" * 86 + "==", fp=fingerprint(qian), sha="0" * 64,
    )
    data = audit(run)
    assert data["ok"] is False
    assert [p["code"] for p in data["signature_problems"]] == [code]
    assert [b["problem"] for b in data["breaks"]] == ["signoff-unrecorded"]


def test_a_signature_made_for_another_version_does_not_carry_over(run: Kam, url: str, qian: Path, deal: int) -> None:
    assert run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian)).exit_code == 0
    db = Database(url)
    try:
        fill(db, deal, "contract-review", edit(load("contract-review"), "penalty_percent", 5))
    finally:
        db.dispose()
    # moving the v1 signature onto v2 is caught: it signed v1's statement
    execute(url, "UPDATE signoffs SET review_version = 2")
    assert [p["code"] for p in audit(run)["signature_problems"]] == ["signature"]


def test_a_key_replaced_later_still_verifies_what_it_signed(run: Kam, qian: Path, deal: int, tmp_path: Path) -> None:
    assert run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian)).exit_code == 0
    newer = keygen(tmp_path, "qianjin-2027")
    assert run("--actor", "钱进", "user", "key", "钱进", "--public-key", f"{newer}.pub").exit_code == 0
    assert audit(run)["ok"] is True
    result = run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian))
    assert result.exit_code == 0  # the same approval again: nothing to sign, nothing stored
    assert "nothing changed" in result.stdout


def test_the_compliance_review_prints_each_signers_fingerprint(run: Kam, qian: Path, deal: int, tmp_path: Path) -> None:
    assert run("--actor", "钱进", "review", "approve", deal, "--department", "finance", "--sign-with", str(qian)).exit_code == 0
    data = json.loads(run("--json", "compliance", deal).stdout)
    assert [(s["reviewer"], s["key_fingerprint"]) for s in data["signoffs"]] == [("钱进", fingerprint(qian))]
    assert run("--actor", "孙律", "review", "approve", deal, "--department", "legal").exit_code == 0  # unsigned
    pdf = tmp_path / "review.pdf"
    run("compliance", deal, "--pdf", str(pdf), lang="zh")
    import pypdf

    printed = "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(pdf).pages)
    assert f"签名公钥{fingerprint(qian)}" in printed
    assert printed.count("签名公钥") == 1  # 孙律's approval is not signed


# -- the anchor ------------------------------------------------------------------------------------------------


def test_an_anchor_proves_the_history_up_to_it_was_not_rewritten(run: Kam, url: str, deal: int) -> None:
    line = run("audit", "anchor").stdout.strip()
    assert line.startswith("kam-anchor v1 ") and " rows=" in line and " head=" in line and " db=" in line
    assert run.json("audit", "anchor")["anchor"].split()[3:] == line.split()[3:]
    assert run("opp", "hold", deal, "--reason", "等预算").exit_code == 0  # later rows do not matter
    result = run("audit", "verify", "--anchor", line)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"anchor holds: {line}\n")
    # someone with the database rewrites an anchored row and recomputes the hashes: the anchor sees it
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE events SET hash = :h WHERE id = 1"), {"h": "f" * 64})
    finally:
        db.dispose()
    data = audit(run, "--anchor", line)
    assert data["anchors"][0]["ok"] is False
    assert "history up to the anchor was rewritten" in data["anchors"][0]["message"]


def test_a_malformed_anchor_is_refused(run: Kam, deal: int) -> None:
    result = run("audit", "verify", "--anchor", "kam-anchor v1 yesterday")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "is not a UTC time like 2026-12-01T10:00:00Z" in result.stderr
