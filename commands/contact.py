"""People at a customer (联系人) and their part in the decision chain.

\b
Example:
  kam contact add 1 张华 --department 技术部 --title 部长 --role 技术选型决策人 --influence high --stance supporter
  kam contact list 1
  kam contact edit 3 --title 副总经理 --stance supporter
  kam contact remove 3
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamGroupBase, change, local_time, pass_kam
from commands._table import table
from commands._values import ChoiceType
from forms.choices import LEVEL, STANCE
from workflow.operations import accounts
from workflow.records import queries
from workflow.views import accounts as views

INFLUENCE = ChoiceType(LEVEL)  # --influence 高 or high
STANCES = ChoiceType(STANCE)  # --stance 支持者 or supporter


@click.group("contact", cls=KamGroupBase, help=__doc__)
def contact() -> None:
    pass


@contact.command("add")
@click.argument("account_id", type=int)
@click.argument("name")
@click.option("--department", help="Department (部门).")
@click.option("--title", help="Job title (职务).")
@click.option("--role", help="Role in the decision chain, free text (最终拍板人, 技术选型决策人, 采购经理…).")
@click.option("--influence", type=INFLUENCE, help="Influence on the decision (影响力: 高/中/低).")
@click.option("--stance", type=STANCES, help="Stance towards us (支持者/中立者/反对者/不清楚).")
@click.option("--phone", help="Phone (电话).")
@pass_kam
def contact_add(
    kam: Kam,
    account_id: int,
    name: str,
    department: str | None,
    title: str | None,
    role: str | None,
    influence: str | None,
    stance: str | None,
    phone: str | None,
) -> None:
    """Add a contact to a customer. --json prints {"id": ...}.

    \b
    Example:
      kam contact add 1 李阳 --title 总经理 --role 最终拍板人 --influence high --stance neutral
    """
    with kam.db.write() as session:
        c = accounts.add_contact(
            session,
            account_id,
            name,
            actor=kam.actor,
            department=department,
            title=title,
            role=role,
            influence=influence,
            stance=stance,
            phone=phone,
        )
        cid, cname = c.id, c.name
    kam.emit({"id": cid}, lambda: kam.say(f"已添加联系人 {cid}：{cname}", f"added contact {cid}: {cname}"))


@contact.command("list")
@click.argument("account_id", type=int)
@click.option("--removed", is_flag=True, help="Also list the contacts removed (kept in the history).")
@pass_kam
def contact_list(kam: Kam, account_id: int, removed: bool) -> None:
    """List a customer's contacts (removed ones only with --removed).

    \b
    Example:
      kam contact list 1
      kam --json contact list 1 --removed
    """
    with kam.db.read() as session:
        data = [views.contact(c) for c in queries.list_contacts(session, account_id, removed=removed)]
    if kam.json:
        kam.emit(data)
        return
    if not data:
        kam.say(f"客户 {account_id} 没有联系人", f"account {account_id} has no contacts")
        return
    lang = kam.lang
    table(
        [
            kam.t(*h)
            for h in (
                ("编号", "ID"),
                ("姓名", "Name"),
                ("部门", "Department"),
                ("职务", "Title"),
                ("角色", "Role"),
                ("影响力", "Influence"),
                ("态度", "Stance"),
                ("电话", "Phone"),
            )
        ],
        [
            (
                c["id"],
                c["name"] + (kam.t("（已移除 ", " (removed ") + local_time(c["removed_at"])[:10] + kam.t("）", ")"))
                if c["removed_at"]
                else c["name"],
                c["department"],
                c["title"],
                c["role"],
                LEVEL.label(c["influence"], lang),
                STANCE.label(c["stance"], lang),
                c["phone"],
            )
            for c in data
        ],
    )


@contact.command("edit")
@click.argument("contact_id", type=int)
@click.option("--name", help="Name (姓名).")
@click.option("--department", help="Department (部门); an empty value clears it.")
@click.option("--title", help="Job title (职务); an empty value clears it.")
@click.option("--role", help="Role in the decision chain; an empty value clears it.")
@click.option("--influence", type=ChoiceType(LEVEL, blank=True), help="Influence on the decision (高/中/低).")
@click.option("--stance", type=ChoiceType(STANCE, blank=True), help="Stance towards us (支持者/中立者/反对者/不清楚).")
@click.option("--phone", help="Phone (电话); an empty value clears it.")
@pass_kam
def contact_edit(kam: Kam, contact_id: int, **given: Any) -> None:
    """Change a contact; each change (old and new) is in the account's history. --json prints {"id", "changes"}.

    \b
    Example:
      kam contact edit 3 --title 副总经理 --stance supporter
    """
    with kam.db.write() as session:
        changes = accounts.edit_contact(session, contact_id, actor=kam.actor, **given)

    def human() -> None:
        if not changes:
            kam.say(f"联系人 {contact_id} 没有变化", f"contact {contact_id}: nothing changed")
            return
        kam.say(f"联系人 {contact_id} 已修改：", f"contact {contact_id} changed:")
        for key, (old, new) in changes.items():
            click.echo("  " + change(views.field_label(key, kam.lang), old, new))

    kam.emit({"id": contact_id, "changes": changes}, human)


@contact.command("remove")
@click.argument("contact_id", type=int)
@pass_kam
def contact_remove(kam: Kam, contact_id: int) -> None:
    """Remove a contact who left: hidden from lists, kept in the history (never deleted).

    \b
    Example:
      kam contact remove 3
    """
    with kam.db.write() as session:
        c = accounts.remove_contact(session, contact_id, actor=kam.actor)
        data = views.contact(c)
    kam.emit(
        data,
        lambda: kam.say(
            f"已移除联系人 {contact_id}：{data['name']}（保留在历史中）",
            f"removed contact {contact_id}: {data['name']} (kept in the history)",
        ),
    )


COMMAND = contact
