"""People at a customer (联系人) and their part in the decision chain.

\b
Example:
  kam contact add 1 张华 --department 技术部 --title 部长 --role 技术选型决策人 --influence high --stance supporter
"""

from __future__ import annotations

import click

from commands._common import Kam, KamGroupBase, pass_kam
from forms.choices import LEVEL, STANCE
from workflow.operations import accounts

INFLUENCE = click.Choice(LEVEL.values)
STANCES = click.Choice(STANCE.values)


@click.group("contact", cls=KamGroupBase, help=__doc__)
def contact() -> None:
    pass


@contact.command("add")
@click.argument("account_id", type=int)
@click.argument("name")
@click.option("--department", help="Department (部门).")
@click.option("--title", help="Job title (职务).")
@click.option("--role", help="Role in the decision chain, free text (最终拍板人, 技术选型决策人, 采购经理…).")
@click.option("--influence", type=INFLUENCE, help="Influence on the decision.")
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


COMMAND = contact
