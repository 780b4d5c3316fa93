"""Verifying a database: every chain recomputed, every record replayed, the derived data and the files checked.

The one verification: `kam audit verify` (`views.audit`) runs it over the database, and `kam import`
runs it over what it has just loaded, before committing (`operations.exchange`): a tampered export
is refused naming what does not hold up, exactly as the audit would name it in a database. The
checks are `rules.audit`'s; this module reads the rows for them, streaming the opportunities one at a
time (`records.queries.audit_stream`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from workflow.i18n import Text, t
from workflow.operations.followups import expected_plans
from workflow.operations.roster import registered_keys
from workflow.records import blobs, ledger, queries, roster, tables
from workflow.records.hashing import sha256
from workflow.rules import signatures
from workflow.rules.audit import Audit, Break, LedgerBreak, ledger_breaks, opportunity_break
from workflow.rules.compliance import REVIEW
from workflow.rules.plans import as_date
from workflow.rules.process import Process
from workflow.values.names import name_key, stored_key


def audit(connection: Connection, process: Process | None = None) -> Audit:
    """Recompute every opportunity's chain and every ledger chain, replay them, and check the data derived from them.

    Derived data: the schedule's stored plans must be what the service plans and
    the recorded follow-ups give (problem "plan"; `kam init --rebuild` rebuilds them).
    Stored files (attachments, the logo) are hashed again: their bytes must still be what was recorded.
    Signed sign-offs are checked against their reviewers' registered keys (`signature_issues`).
    """
    damaged = file_damage(connection)
    held = queries.contract_numbers(connection)
    breaks: list[Break] = []
    checked = opportunities = 0
    for group in queries.audit_stream(connection):
        checked += len(group.events)
        opportunities += group.opportunity is not None
        found = opportunity_break(
            group.id, group.opportunity, group.events, group.documents, group.signoffs, group.attachments, damaged, held
        )
        if found is not None:
            breaks.append(found)
    broken = {b.opportunity_id for b in breaks}
    breaks += [Break(opp_id, 0, "plan") for opp_id in plan_mismatches(connection) if opp_id not in broken]
    breaks.sort(key=lambda b: b.opportunity_id)
    chains, current = ledger.chains(connection), ledger.current_rows(connection)
    checked += sum(len(rows) for rows in chains.values())
    subjects = len(set(chains) | set(current))
    found_ledger = ledger_breaks(chains, current)
    found_ledger += logo_breaks(connection, chains, damaged, {(b.subject, b.subject_id) for b in found_ledger})
    signed, issues = signature_issues(connection, process)
    return Audit(checked, opportunities, breaks, subjects, found_ledger, signed, issues)


def file_damage(connection: Connection) -> frozenset[str]:
    """The sha256 of every stored file whose bytes no longer match, and of every file referred to but gone."""
    damaged = set(blobs.damaged(connection))
    stored = {row[0] for row in connection.execute(select(tables.blobs.c.sha256))}
    referred = {row[0] for row in connection.execute(select(tables.attachments.c.sha256))}
    referred |= {row[0] for row in connection.execute(select(tables.company.c.logo_sha256)) if row[0]}
    return frozenset(damaged | (referred - stored))


def logo_breaks(
    connection: Connection, chains: dict[tuple[str, int], list[Any]], damaged: frozenset[str], broken: set[Any]
) -> list[LedgerBreak]:
    """The company's logo: its bytes must still hash to the sha256 the ledger recorded."""
    out = []
    for row in connection.execute(select(tables.company.c.id, tables.company.c.logo_sha256)):
        key = ("company", row.id)
        if row.logo_sha256 in damaged and key not in broken:
            last = chains.get(key, [])[-1].seq if chains.get(key) else 0
            detail = "logo: the stored image was altered"
            out.append(LedgerBreak("company", row.id, last, "changed", "company", row.id, detail))
    return out


def plan_mismatches(connection: Connection) -> list[int]:
    """Opportunities whose stored plan is not what their latest service plan and recorded follow-ups give."""
    P = tables.planned_followups.c

    def key(row: Any) -> tuple[Any, ...]:
        return (row["opportunity_id"], row["kind"], as_date(row["due_date"]), row["detail"] or "", bool(row["done"]))

    expected = {key(row) for row in expected_plans(connection)}
    stored = {
        key(row)
        for row in connection.execute(select(P.opportunity_id, P.kind, P.due_date, P.detail, P.done)).mappings()
    }
    return sorted({k[0] for k in expected ^ stored})


# -- signed sign-offs and the anchor (issue 13) -----------------------------------------------------------


class SignatureIssue(NamedTuple):
    """A signed sign-off that does not hold up (`rules.signatures.SignatureProblem`), and which one it is."""

    opportunity_id: int
    department: str
    reviewer: str
    review_version: int
    code: str
    message: Text


def signature_issues(connection: Connection, process: Process | None = None) -> tuple[int, list[SignatureIssue]]:
    """Check every signed sign-off against the key its reviewer had registered then; (signatures checked, problems).

    The statement is rebuilt from the row and the contract review's sha256 recomputed from its
    data, so nothing stored is taken on trust but the registered keys, which the ledger holds.
    With `compliance: {signatures: required}` an approval without a signature is named too.
    """
    S, D = tables.signoffs.c, tables.documents.c
    rows = connection.execute(select(tables.signoffs).order_by(S.id)).all()
    signed = [r for r in rows if r.signature is not None]
    keys: dict[str, list[signatures.RegisteredKey]] = {}
    for user in roster.users(connection):
        keys[name_key(user.name)] = registered_keys(connection, user.id)
    wanted = {(r.opportunity_id, r.review_version) for r in signed}
    shas: dict[tuple[int, int], str] = {}
    opp_ids = sorted({opp for opp, _ in wanted})
    for start in range(0, len(opp_ids), 500):
        query = select(D.opportunity_id, D.version, D.data).where(
            D.kind == REVIEW, D.opportunity_id.in_(opp_ids[start : start + 500])
        )
        for opp_id, version, data in connection.execute(query):
            if (opp_id, version) in wanted:
                shas[(opp_id, version)] = sha256(data)
    issues = []
    for r in signed:
        label = _department(process, r.department)
        problem = signatures.signoff_problem(
            signatures.SignedSignoff(
                r.opportunity_id, r.contract_no, r.review_version, r.review_sha256 or "", r.department, r.reviewer,
                r.decision, r.comment, r.at, r.signature, r.statement_version or "", r.key_fingerprint or "",
            ),
            keys.get(stored_key(r.reviewer), []),
            shas.get((r.opportunity_id, r.review_version)),
            label,
        )  # fmt: skip
        if problem is not None:
            issues.append(SignatureIssue(r.opportunity_id, r.department, r.reviewer, r.review_version, *problem))
    if process is not None and process.signatures_required:
        for r in rows:
            if r.signature is None and r.decision == "approve":
                dept = _department(process, r.department) or t(r.department, r.department)
                issues.append(
                    SignatureIssue(
                        r.opportunity_id, r.department, r.reviewer, r.review_version, "unsigned",
                        t(
                            f"商机 {r.opportunity_id} {dept.zh}的会签（{r.reviewer}，合同审核表 v{r.review_version}）"
                            "没有签名，而流程要求签名审批（compliance.signatures: required）",
                            f"opportunity {r.opportunity_id}: the {dept.en} approval by {r.reviewer} on contract "
                            f"review v{r.review_version} is not signed, and the process requires signed approvals",
                        ),
                    )
                )  # fmt: skip
    issues.sort(key=lambda i: (i.opportunity_id, i.department))
    return len(signed), issues


def _department(process: Process | None, department: str) -> Text | None:
    if process is None:
        return None
    return t(process.department_label(department, "zh"), process.department_label(department, "en"))
