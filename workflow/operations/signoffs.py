"""Departmental sign-offs (会签) on the contract review.

A sign-off applies to one version of the contract review: a new version voids
every earlier sign-off (they stay in the history). A reviewer is never the
opportunity's owner and signs for one department per opportunity. Names are
compared as people read them (`values.names`): `ＺＨＡＮＧ` is the owner `Zhang`,
and `张\u200b伟` is refused rather than taken for someone else.

One sign-off per department per version (issue 13): the same reviewer approving
again changes nothing and says so; a second reviewer for a department that has
approved is refused, naming who approved; a rejection after an approval of the
same department replaces it (a new row, the history naming what it replaced).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, NoReturn

from sqlalchemy.orm import Session

from forms.choices import DECISION
from workflow.errors import InvalidInput, Refused
from workflow.i18n import Text, t
from workflow.operations import amendments
from workflow.operations.roster import registered_keys
from workflow.records import acting, chain, queries, roster
from workflow.records.models import SignOff, utcnow
from workflow.rules import signatures, values
from workflow.rules.compliance import REVIEW
from workflow.rules.process import LOST, Process
from workflow.values.names import name_key, normalize_name, stored_key
from workflow.values.writing import as_written

REVIEWER = t("审批人 (--actor)", "reviewer (--actor)")


class Decided(NamedTuple):
    """What a decision did: the standing sign-off, whether it repeated one (nothing stored), what it replaced."""

    signoff: SignOff
    repeated: bool = False
    replaced: SignOff | None = None
    amended: bool = False  # this approval put an open amendment (合同变更) in force


def decide(
    session: Session,
    process: Process,
    opportunity_id: int,
    *,
    department: str,
    decision: str,
    actor: str,
    comment: str | None = None,
    review_version: int | None = None,
    signer: signatures.PrivateKey | None = None,
) -> Decided:
    """Record `actor`'s decision for `department` on the latest contract review.

    `review_version`, when given, is the version the reviewer looked at; if the
    review changed since, the decision is refused rather than applied to a
    version the reviewer has not seen.
    """
    if decision not in DECISION.values:
        raise InvalidInput(
            t(
                f"审批结论须为 approve 或 reject，收到「{as_written(decision)}」",
                f"decision must be approve or reject, got “{as_written(decision)}”",
            )
        )
    # the id or the label as typed (销售部, Sales); the stored value is the id
    department = process.department_choice.parse(department, t("会签部门", "sign-off department"))
    actor = normalize_name(actor, REVIEWER)
    key = name_key(actor)
    comment = values.text("--comment", comment)  # printed on the compliance review's PDF
    if decision == "reject" and not comment:
        raise InvalidInput(t("驳回须写明原因 (--comment)", "a rejection needs a reason (--comment)"))
    opp = queries.lock(session, opportunity_id)
    if opp.stage == LOST:
        raise Refused(
            t(
                f"商机 {opp.id} 已丢单，不再会签：如需继续，先 kam opp reopen {opp.id}",
                f"opportunity {opp.id} is lost; there is nothing to sign off: kam opp reopen {opp.id} first",
            ),
            [],
        )
    if opp.signed_at is not None and process.is_signed(opp.stage) and opp.amending_since is None:
        raise Refused(
            t(
                f"商机 {opp.id} 的合同已签订，会签已结束：如需变更合同，先 kam opp amend {opp.id} --reason 原因",
                f"opportunity {opp.id} is already signed; sign-offs are closed: to amend the contract, run kam opp "
                f"amend {opp.id} --reason R first",
            ),
            [],
        )
    if key == stored_key(opp.owner):
        raise Refused(
            t(
                f"{actor} 是商机 {opp.id} 的负责人，不能审批自己的合同："
                f"请由{process.department_label(department)}其他人审批",
                f"{actor} owns opportunity {opp.id} and cannot review its contract: ask someone else in "
                f"{process.department_label(department, 'en')}",
            ),
            [],
        )
    actor = _signer(session, process, department, actor)
    review = queries.latest_valid(session, opp.id, REVIEW)
    if review.document is None:
        raise Refused(
            t(
                f"商机 {opp.id} 还没有有效的合同审核表：先用 kam doc fill {opp.id} contract-review --file FILE 填写",
                f"opportunity {opp.id} has no valid contract review yet: fill one with kam doc fill {opp.id} "
                "contract-review --file FILE",
            ),
            [],
        )
    version = review.document.version
    if review_version is not None and review_version != version:
        raise Refused(
            t(
                f"合同审核表已更新为 v{version}（你审阅的是 v{review_version}）：请重新审阅后再审批",
                f"the contract review is now v{version} (you reviewed v{review_version}): review it again before "
                "deciding",
            ),
            [],
        )
    on_opportunity = queries.signoffs(session, opp.id)
    other = next(
        (r.department for r in on_opportunity if r.department != department and stored_key(r.reviewer) == key), None
    )
    if other is not None:
        raise Refused(
            t(
                f"{actor} 已代表{process.department_label(other)}审批过商机 {opp.id}，同一人只能代表一个部门",
                f"{actor} already reviewed opportunity {opp.id} for {process.department_label(other, 'en')}; one "
                "reviewer signs for one department only",
            ),
            [],
        )
    # the department's standing decision on this version (rows oldest first: the last one stands)
    standing = {r.department: r for r in on_opportunity if r.review_version == version}.get(department)
    if standing is not None:
        same = stored_key(standing.reviewer) == key
        if same and standing.decision == decision and (decision == "approve" or standing.comment == comment):
            return Decided(standing, repeated=True)
        if standing.decision == "approve" and decision == "approve":
            raise _already_approved(process, opp.id, department, standing)
    now = utcnow()
    signed = _signature(
        session, process, opp.id, review, department=department, reviewer=actor, decision=decision, comment=comment,
        at=now, signer=signer,
    )  # fmt: skip
    signoff = SignOff(
        opportunity_id=opp.id,
        department=department,
        reviewer=actor,
        decision=decision,
        comment=comment,
        review_version=version,
        at=now,
        **signed,
    )
    session.add(signoff)
    detail: dict[str, Any] = {"department": department, "decision": decision}
    if acting.history_actor(actor) != actor:  # an admin records for the reviewer: the row's actor names both
        detail["reviewer"] = actor
    if standing is not None:
        detail["replaces"] = {
            "reviewer": standing.reviewer,
            "decision": standing.decision,
            "at": standing.at.isoformat(),
        }
    chain.append(
        session,
        opp.id,
        actor=actor,
        action="signoff",
        at=now,
        reason=comment,
        documents={REVIEW: version},
        detail=detail,
    )
    session.flush()
    amended = amendments.settle(session, process, opp, actor=actor)  # an open amendment: in force at its last approval
    return Decided(signoff, replaced=standing, amended=amended is not None)


def _signer(session: Session, process: Process, department: str, actor: str) -> str:
    """The reviewer as the roster spells them; once the roster is in use, refused unless they may sign for `department`.

    The refusal names who may sign (`财务部可审批：钱进、李芳`), or how to add a reviewer when nobody may.
    """
    connection = session.connection()
    if not roster.in_use(connection):
        return actor
    user = roster.find(connection, actor)
    if user is not None and user.signs_for(department):
        return user.name
    zh, en = process.department_label(department), process.department_label(department, "en")
    names = roster.signers(connection, department)
    if names:
        who_zh, who_en = f"{zh}可审批：{'、'.join(names)}", f"who may sign for {en}: {', '.join(names)}"
    else:
        add = f"kam user add 姓名 --role reviewer --department {department}"
        who_zh = f"{zh}还没有审批人：请管理员用 {add} 添加"
        who_en = f"nobody may sign for {en} yet: an admin adds a reviewer with {add.replace('姓名', 'NAME')}"
    if user is None:
        why_zh, why_en = f"{actor} 不在用户名单上，不能审批", f"{actor} is not on the roster and may not sign"
    elif not user.enabled:
        why_zh, why_en = f"{user.name} 已停用，不能审批", f"{user.name} is disabled and may not sign"
    else:
        why_zh, why_en = f"{user.name} 不是{zh}的审批人", f"{user.name} is not a reviewer of {en}"
    return _refused(t(f"{why_zh}：{who_zh}", f"{why_en}: {who_en}"))


def _refused(message: Text) -> NoReturn:
    raise Refused(message, [])


def _already_approved(process: Process, opportunity_id: int, department: str, standing: SignOff) -> Refused:
    zh, en = process.department_label(department), process.department_label(department, "en")
    version, who = standing.review_version, standing.reviewer
    return Refused(
        t(
            f"{zh}已由{who}同意商机 {opportunity_id} 的合同审核表 v{version}，每个部门每个版本只签一次："
            f"如需改变结论，用 kam review reject {opportunity_id} --department {department} --comment 原因",
            f"{en} already approved contract review v{version} of opportunity {opportunity_id} ({who}); a department "
            f"signs a version once: to change its decision, kam review reject {opportunity_id} --department "
            f"{department} --comment REASON",
        ),
        [],
    )


def _signature(
    session: Session,
    process: Process,
    opp_id: int,
    review: Any,
    *,
    department: str,
    reviewer: str,
    decision: str,
    comment: str | None,
    at: dt.datetime,
    signer: signatures.PrivateKey | None,
) -> dict[str, Any]:
    """The signature columns of a new sign-off: signed with `signer` over the canonical statement, or none.

    Refused: an unsigned approval when the process requires signatures; a key that is not the
    one the reviewer registered (or a reviewer with none).
    """
    if signer is None:
        if decision == "approve" and process.signatures_required:
            raise Refused(
                t(
                    "本公司流程要求签名审批（compliance.signatures: required）：加 --sign-with 私钥文件，"
                    "例如 --sign-with ~/.ssh/id_ed25519",
                    "this process requires signed approvals (compliance.signatures: required): add --sign-with "
                    "KEY_FILE, e.g. --sign-with ~/.ssh/id_ed25519",
                ),
                [],
            )
        return {}
    connection = session.connection()
    user = roster.find(connection, reviewer)
    registered = signatures.key_at(registered_keys(connection, user.id), at) if user is not None else None
    if user is None or registered is None:
        raise Refused(
            t(
                f"{reviewer} 还没有登记公钥，签名无从核对："
                f"先 kam user key {reviewer} --public-key ~/.ssh/id_ed25519.pub",
                f"{reviewer} has no registered key to check the signature with: first kam user key {reviewer} "
                "--public-key ~/.ssh/id_ed25519.pub",
            ),
            [],
        )
    mine, theirs = signatures.fingerprint(signer.public), signatures.fingerprint(registered.public_key)
    if mine != theirs:
        raise Refused(
            t(
                f"私钥 {signer.source}（{mine}）不是 {user.name} 登记的公钥（{theirs}）：用登记的那把私钥签名，"
                f"或先 kam user key {user.name} --public-key 新公钥.pub",
                f"the key {signer.source} ({mine}) is not the one {user.name} registered ({theirs}): sign with that "
                f"key, or register the new one first with kam user key {user.name} --public-key NEW.pub",
            ),
            [],
        )
    contract_no = getattr(review.form, "contract_no", None)
    signed = signatures.statement(
        opportunity_id=opp_id,
        contract_no=contract_no,
        review_version=review.document.version,
        review_sha256=review.document.sha256,
        department=department,
        reviewer=reviewer,
        decision=decision,
        comment=comment,
        at=at,
    )
    return {
        "signature": signatures.sign(signer, signed),
        "statement_version": signatures.STATEMENT_VERSION,
        "key_fingerprint": mine,
        "review_sha256": review.document.sha256,
        "contract_no": contract_no,
    }
