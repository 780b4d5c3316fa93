"""kam account … and kam contact …"""

from __future__ import annotations

import click

from commands._common import Kam, KamGroupBase, clean, local_time, pass_kam, table

TYPES = click.Choice(["government", "enterprise", "individual"])
CLASSES = click.Choice(["A", "B", "C"])
SIZES = click.Choice(["large", "medium", "small"])
MARKETS = click.Choice(["local", "domestic", "international"])
INFLUENCE = click.Choice(["high", "medium", "low"])
STANCES = click.Choice(["supporter", "neutral", "opponent", "unknown"])


@click.group("account", cls=KamGroupBase)
def account() -> None:
    """Customers (客户): add, list, show, edit.

    \b
    Example:
      kam account add 包头鑫达物流 --type enterprise --class A --industry 物流 --fleet-size 120
      kam account list
    """


@account.command("add")
@click.argument("name")
@click.option("--type", "type_", type=TYPES, required=True, help="government / enterprise / individual (客户性质).")
@click.option("--class", "class_", type=CLASSES, required=True, help="A strategic / B key / C general (客户分类).")
@click.option("--industry", required=True, help="Industry (行业), e.g. 物流, 环卫, 建材.")
@click.option("--fleet-size", type=int, required=True, help="Vehicles the customer runs (车辆保有量).")
@click.option("--size", type=SIZES, help="Enterprise size (企业规模).")
@click.option("--market", type=MARKETS, help="local / domestic / international.")
@click.option("--region", help="Region (区域), e.g. 内蒙古包头.")
@click.option("--main-brands", help="Brands the customer runs now (主要品牌).")
@click.option("--address", help="Address (地址).")
@pass_kam
def account_add(kam: Kam, name: str, type_: str, class_: str, industry: str, fleet_size: int, size, market, region, main_brands, address) -> None:  # type: ignore[no-untyped-def]
    """Add a customer. --json prints {"id": ...}.

    \b
    Example:
      kam account add 沈阳华信商贸 --type enterprise --size medium --class B --industry 建材 --fleet-size 45 --region 辽宁沈阳
    """
    from workflow import engine

    with kam.db.write() as session:
        acc = engine.create_account(
            session, name=name, type=type_, account_class=class_, industry=industry, fleet_size=fleet_size, actor=kam.actor,
            size=size, market=market, region=region, main_brands=main_brands, address=address,
        )
        acc_id, acc_name = acc.id, acc.name
    kam.emit({"id": acc_id}, lambda: kam.say(f"已添加客户 {acc_id}：{acc_name}", f"added account {acc_id}: {acc_name}"))


@account.command("edit")
@click.argument("account_id", type=int)
@click.option("--type", "type_", type=TYPES)
@click.option("--class", "class_", type=CLASSES)
@click.option("--industry")
@click.option("--fleet-size", type=int)
@click.option("--size", type=SIZES)
@click.option("--market", type=MARKETS)
@click.option("--region")
@click.option("--main-brands")
@click.option("--address")
@click.option("--reviewed", is_flag=True, help="Mark the customer data as reviewed today (seed 000: quarterly).")
@pass_kam
def account_edit(kam: Kam, account_id: int, type_, class_, industry, fleet_size, size, market, region, main_brands, address, reviewed) -> None:  # type: ignore[no-untyped-def]
    """Change a customer's profile, or confirm it is still correct (--reviewed).

    \b
    Example:
      kam account edit 3 --fleet-size 60 --region 辽宁沈阳
    """
    from workflow import engine

    with kam.db.write() as session:
        engine.edit_account(
            session, account_id, actor=kam.actor, reviewed=reviewed, type=type_, account_class=class_, industry=industry,
            fleet_size=fleet_size, size=size, market=market, region=region, main_brands=main_brands, address=address,
        )
    kam.emit({"id": account_id}, lambda: kam.say(f"已更新客户 {account_id}", f"updated account {account_id}"))


@account.command("list")
@pass_kam
def account_list(kam: Kam) -> None:
    """List customers.

    \b
    Example:
      kam account list --json
    """
    from workflow import engine, views
    from workflow.i18n import value_label

    with kam.db.read() as session:
        accounts = engine.list_accounts(session)
        data = [views.account(a) for a in accounts]
    if kam.json:
        kam.emit(data)
        return
    if not data:
        kam.say("还没有客户：用 kam account add 添加", "no accounts yet: add one with kam account add")
        return
    table(
        [kam.t(*h) for h in (("编号", "ID"), ("名称", "Name"), ("性质", "Type"), ("分类", "Class"), ("行业", "Industry"), ("保有量", "Fleet"), ("区域", "Region"))],
        [(a["id"], a["name"], value_label(a["type"], kam.lang), a["class"], a["industry"], a["fleet_size"], a["region"]) for a in data],
    )


@account.command("show")
@click.argument("account_id", type=int)
@pass_kam
def account_show(kam: Kam, account_id: int) -> None:
    """Show a customer with its contacts and opportunities.

    \b
    Example:
      kam account show 1
    """
    from workflow import engine, views
    from workflow.i18n import value_label

    with kam.db.read() as session:
        acc = engine.get_account(session, account_id)
        data = views.account(acc, with_contacts=True)
        data["opportunities"] = [
            {"id": o.id, "title": o.title, "stage": o.stage, "owner": o.owner, "quantity": o.quantity} for o in acc.opportunities
        ]
    if kam.json:
        kam.emit(data)
        return
    lang = kam.lang
    pairs = [
        (kam.t("客户", "Account"), f"{data['id']}  {data['name']}"),
        (kam.t("性质", "Type"), " ".join(filter(None, [value_label(data["type"], lang), value_label(data["size"], lang)]))),
        (kam.t("分类", "Class"), value_label(data["class"], lang)),
        (kam.t("市场", "Market"), value_label(data["market"], lang)),
        (kam.t("行业", "Industry"), data["industry"]),
        (kam.t("保有量", "Fleet size"), data["fleet_size"]),
        (kam.t("主要品牌", "Main brands"), data["main_brands"]),
        (kam.t("区域", "Region"), data["region"]),
        (kam.t("地址", "Address"), data["address"]),
        (kam.t("资料确认于", "Reviewed"), local_time(acc.reviewed_at)),
    ]
    for label, value in pairs:
        if value not in (None, ""):
            click.echo(clean(f"{label}: {value}"))
    if data["contacts"]:
        click.echo()
        table(
            [kam.t(*h) for h in (("编号", "ID"), ("姓名", "Name"), ("部门", "Department"), ("职务", "Title"), ("角色", "Role"), ("影响力", "Influence"), ("态度", "Stance"))],
            [(c["id"], c["name"], c["department"], c["title"], c["role"], value_label(c["influence"], lang), value_label(c["stance"], lang)) for c in data["contacts"]],
            title=kam.t("联系人", "Contacts"),
        )
    if data["opportunities"]:
        click.echo()
        table(
            [kam.t(*h) for h in (("编号", "ID"), ("项目", "Title"), ("阶段", "Stage"), ("负责人", "Owner"), ("数量", "Qty"))],
            [(o["id"], o["title"], kam.process.stage_label(o["stage"], lang), o["owner"], o["quantity"]) for o in data["opportunities"]],
            title=kam.t("商机", "Opportunities"),
        )


@click.group("contact", cls=KamGroupBase)
def contact() -> None:
    """People at a customer (联系人) and their part in the decision chain.

    \b
    Example:
      kam contact add 1 张华 --department 技术部 --title 部长 --role 技术选型决策人 --influence high --stance supporter
    """


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
def contact_add(kam: Kam, account_id: int, name: str, department, title, role, influence, stance, phone) -> None:  # type: ignore[no-untyped-def]
    """Add a contact to a customer. --json prints {"id": ...}.

    \b
    Example:
      kam contact add 1 李阳 --title 总经理 --role 最终拍板人 --influence high --stance neutral
    """
    from workflow import engine

    with kam.db.write() as session:
        c = engine.add_contact(
            session, account_id, name, actor=kam.actor, department=department, title=title, role=role, influence=influence, stance=stance, phone=phone
        )
        cid, cname = c.id, c.name
    kam.emit({"id": cid}, lambda: kam.say(f"已添加联系人 {cid}：{cname}", f"added contact {cid}: {cname}"))


COMMANDS = [account, contact]
