"""Customers (客户): add, list, show, edit.

\b
Example:
  kam account add 包头鑫达物流 --type enterprise --class A --industry 物流 --fleet-size 120
  kam account list
"""

from __future__ import annotations

from typing import Any

import click

from commands._common import Kam, KamGroupBase, clean, local_time, pass_kam
from commands._table import table
from commands._values import ChoiceType
from forms.choices import ACCOUNT_CLASS, ACCOUNT_SIZE, ACCOUNT_TYPE, LEVEL, MARKET, STANCE
from workflow.operations import accounts
from workflow.operations.account_import import import_accounts
from workflow.records import queries
from workflow.views import accounts as views

# each takes the key or its label as typed (--type 政府, --class A类, --size 大型, --market 本地)
TYPES = ChoiceType(ACCOUNT_TYPE)
CLASSES = ChoiceType(ACCOUNT_CLASS)
SIZES = ChoiceType(ACCOUNT_SIZE)
MARKETS = ChoiceType(MARKET)


@click.group("account", cls=KamGroupBase, help=__doc__)
def account() -> None:
    pass


@account.command("add")
@click.argument("name")
@click.option(
    "--type", "type_", type=TYPES, required=True, help="government / enterprise / individual (政府/企业/个人)."
)
@click.option("--class", "class_", type=CLASSES, required=True, help="A strategic / B key / C general (A类/B类/C类).")
@click.option("--industry", required=True, help="Industry (行业), e.g. 物流, 环卫, 建材.")
@click.option("--fleet-size", type=int, required=True, help="Vehicles the customer runs (车辆保有量).")
@click.option("--size", type=SIZES, help="Enterprise size (企业规模: 大型/中型/小型).")
@click.option("--market", type=MARKETS, help="local / domestic / international (本地/国内/国际).")
@click.option("--region", help="Region (区域), e.g. 内蒙古包头.")
@click.option("--main-brands", help="Brands the customer runs now (主要品牌).")
@click.option("--address", help="Address (地址).")
@pass_kam
def account_add(
    kam: Kam,
    name: str,
    type_: str,
    class_: str,
    industry: str,
    fleet_size: int,
    size: str | None,
    market: str | None,
    region: str | None,
    main_brands: str | None,
    address: str | None,
) -> None:
    """Add a customer. --json prints {"id": ...}.

    \b
    Example:
      kam account add 沈阳华信商贸 --type enterprise --size medium --class B --industry 建材 \
        --fleet-size 45 --region 辽宁沈阳
    """
    with kam.db.write() as session:
        acc = accounts.create_account(
            session,
            name=name,
            type=type_,
            account_class=class_,
            industry=industry,
            fleet_size=fleet_size,
            actor=kam.actor,
            size=size,
            market=market,
            region=region,
            main_brands=main_brands,
            address=address,
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
@click.option("--reviewed", is_flag=True, help="Mark the customer data as reviewed today (due once a quarter).")
@pass_kam
def account_edit(
    kam: Kam,
    account_id: int,
    type_: str | None,
    class_: str | None,
    industry: str | None,
    fleet_size: int | None,
    size: str | None,
    market: str | None,
    region: str | None,
    main_brands: str | None,
    address: str | None,
    reviewed: bool,
) -> None:
    """Change a customer's profile, or confirm it is still correct (--reviewed).

    \b
    Example:
      kam account edit 3 --fleet-size 60 --region 辽宁沈阳
    """
    with kam.db.write() as session:
        accounts.edit_account(
            session,
            account_id,
            actor=kam.actor,
            reviewed=reviewed,
            type=type_,
            account_class=class_,
            industry=industry,
            fleet_size=fleet_size,
            size=size,
            market=market,
            region=region,
            main_brands=main_brands,
            address=address,
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
    with kam.db.read() as session:
        data = [views.account(a) for a in queries.list_accounts(session)]
    if kam.json:
        kam.emit(data)
        return
    if not data:
        kam.say("还没有客户：用 kam account add 添加", "no accounts yet: add one with kam account add")
        return
    table(
        [
            kam.t(*h)
            for h in (
                ("编号", "ID"),
                ("名称", "Name"),
                ("性质", "Type"),
                ("分类", "Class"),
                ("行业", "Industry"),
                ("保有量", "Fleet"),
                ("区域", "Region"),
            )
        ],
        [
            (
                a["id"],
                a["name"],
                ACCOUNT_TYPE.label(a["type"], kam.lang),
                a["class"],
                a["industry"],
                a["fleet_size"],
                a["region"],
            )
            for a in data
        ],
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
    with kam.db.read() as session:
        acc = queries.get_account(session, account_id)
        data = views.account(acc, with_contacts=True)
        data["opportunities"] = [
            {"id": o.id, "title": o.title, "stage": o.stage, "owner": o.owner, "quantity": o.quantity}
            for o in acc.opportunities
        ]
        data["history"] = views.history(session, account_id)
    if kam.json:
        kam.emit(data)
        return
    lang = kam.lang
    pairs = [
        (kam.t("客户", "Account"), f"{data['id']}  {data['name']}"),
        (
            kam.t("性质", "Type"),
            " ".join(filter(None, [ACCOUNT_TYPE.label(data["type"], lang), ACCOUNT_SIZE.label(data["size"], lang)])),
        ),
        (kam.t("分类", "Class"), ACCOUNT_CLASS.label(data["class"], lang)),
        (kam.t("市场", "Market"), MARKET.label(data["market"], lang)),
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
            [
                kam.t(*h)
                for h in (
                    ("编号", "ID"),
                    ("姓名", "Name"),
                    ("部门", "Department"),
                    ("职务", "Title"),
                    ("电话", "Phone"),
                    ("角色", "Role"),
                    ("影响力", "Influence"),
                    ("态度", "Stance"),
                )
            ],
            [
                (
                    c["id"],
                    c["name"],
                    c["department"],
                    c["title"],
                    c["phone"],
                    c["role"],
                    LEVEL.label(c["influence"], lang),
                    STANCE.label(c["stance"], lang),
                )
                for c in data["contacts"]
            ],
            title=kam.t("联系人", "Contacts"),
        )
    if data["opportunities"]:
        click.echo()
        table(
            [
                kam.t(*h)
                for h in (("编号", "ID"), ("项目", "Title"), ("阶段", "Stage"), ("负责人", "Owner"), ("数量", "Qty"))
            ],
            [
                (o["id"], o["title"], kam.process.stage_label(o["stage"], lang), o["owner"], o["quantity"])
                for o in data["opportunities"]
            ],
            title=kam.t("商机", "Opportunities"),
        )
    changed = [h for h in data["history"] if _visible(h) or h["action"] == "contact-remove"]
    if changed:
        click.echo()
        table(
            [kam.t(*h) for h in (("序号", "#"), ("时间", "When"), ("操作人", "Who"), ("变更", "What"))],
            [(h["seq"], local_time(h["at"]), h["actor"], _change(kam, h)) for h in changed],
            title=kam.t("修改记录", "Changes"),
        )


BOOKKEEPING = ("updated_at", "reviewed_at")  # changed with every edit: not what the person changed


def _visible(h: dict[str, Any]) -> dict[str, Any]:
    return {key: pair for key, pair in h["changes"].items() if key not in BOOKKEEPING}


def _change(kam: Kam, h: dict[str, Any]) -> str:
    """One ledger row as a line: which contact (or the account), and each field's old → new."""
    who = (
        kam.t(f"联系人 {h['entity_id']} {h['name']}", f"contact {h['entity_id']} {h['name']}")
        if h["entity"] == "contact"
        else kam.t("客户", "account")
    )
    if h["action"] == "contact-remove":
        return who + kam.t("：已移除", ": removed")
    shown = "; ".join(
        f"{views.field_label(key, kam.lang)}: {'—' if old in (None, '') else old} → {'—' if new in (None, '') else new}"
        for key, (old, new) in _visible(h).items()
    )
    return f"{who}: {shown}"


@account.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and say what would be imported; write nothing.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good rows and list the bad ones (default: any bad row stops the import).",
)
@pass_kam
def account_import(kam: Kam, file: str, dry_run: bool, skip_invalid: bool) -> None:
    """Add customers from a .csv or .xlsx file; the first row names the columns.

    Columns (English or Chinese): name/名称, type/性质, class/分类, industry/行业,
    fleet_size/保有量 (required); size/规模, market/市场, region/区域,
    main_brands/主要品牌, address/地址. Values as codes or labels (政府, A类).
    A contact per row: contact/联系人, department/部门, title/职务, phone/电话,
    role/角色, influence/影响力 (高/中/低), stance/态度 (支持者/中立者/...); more
    rows with the same name/名称 add more contacts to that customer. Any bad row
    stops the whole import; --dry-run lists the contacts it would add.

    \b
    Example:
      kam account import customers.xlsx --dry-run
      kam account import customers.csv --skip-invalid
    """
    with kam.db.write() as session:
        result = import_accounts(session, file, actor=kam.actor, dry_run=dry_run, skip_invalid=skip_invalid)

    def human() -> None:
        for error in result.errors:
            click.echo(f"  - {error.render(kam.lang)}", err=True)
        people = len(result.contacts)
        if dry_run:
            if people:
                _contacts_table(kam, result.contacts)
            kam.say(
                f"检查完毕：{result.rows} 行，可导入 {result.imported} 个客户"
                + (f"、{people} 位联系人" if people else "")
                + "（未写入）",
                f"checked {result.rows} row(s): {result.imported} account(s)"
                + (f" and {people} contact(s)" if people else "")
                + " would be imported (nothing written)",
            )
        else:
            kam.say(
                f"已导入 {result.imported} 个客户"
                + (f"、{people} 位联系人" if people else "")
                + f"，跳过 {len(result.errors)} 行",
                f"imported {result.imported} account(s)"
                + (f" and {people} contact(s)" if people else "")
                + f", skipped {len(result.errors)} row(s)",
            )

    kam.emit(result.to_dict(kam.lang), human)


def _contacts_table(kam: Kam, contacts: list[dict[str, Any]]) -> None:
    """The contacts an import brings, one row each, as `kam account show` lists them."""
    headers = (
        ("行", "Row"),
        ("客户", "Account"),
        ("联系人", "Contact"),
        ("部门", "Department"),
        ("职务", "Title"),
        ("电话", "Phone"),
        ("角色", "Role"),
        ("影响力", "Influence"),
        ("态度", "Stance"),
    )
    table(
        [kam.t(*h) for h in headers],
        [
            (
                c["row"],
                c["account"],
                c["contact"],
                c["department"],
                c["title"],
                c["phone"],
                c["role"],
                LEVEL.label(c["influence"], kam.lang),
                STANCE.label(c["stance"], kam.lang),
            )
            for c in contacts
        ],
        title=kam.t("联系人", "Contacts"),
    )


@account.command("stale")
@click.option(
    "--days",
    type=click.IntRange(0, 36500),
    default=90,
    show_default=True,
    help="Not reviewed for this many days (a quarter by default).",
)
@pass_kam
def account_stale(kam: Kam, days: int) -> None:
    """Customers whose stable data (profile, people) was not reviewed in 90 days.

    \b
    Example:
      kam account stale
      kam account edit 3 --reviewed
    """
    with kam.db.read() as session:
        stale = views.stale_accounts(session, days=days)
    if kam.json:
        kam.emit([s.to_dict() for s in stale])
        return
    if not stale:
        kam.say(f"所有客户资料都在 {days} 天内确认过", f"every account was reviewed within {days} days")
        return
    table(
        [
            kam.t(*h)
            for h in (("编号", "ID"), ("名称", "Name"), ("分类", "Class"), ("上次确认", "Reviewed"), ("天数", "Days"))
        ],
        [
            (
                s.id,
                s.name,
                s.account_class,
                local_time(s.reviewed_at) or kam.t("从未", "never"),
                s.days if s.days is not None else "—",
            )
            for s in stale
        ],
        title=kam.t(f"超过 {days} 天未确认的客户资料", f"Accounts not reviewed in {days} days"),
    )
    kam.say(
        "确认资料仍准确：kam account edit ID --reviewed",
        "Confirm an account is still correct with: kam account edit ID --reviewed",
    )


COMMAND = account
