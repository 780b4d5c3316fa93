"""The company's letterhead on every PDF (公司信息): name, address, phone, website, logo; shared in the database.

\b
Example:
  kam company set --name 北汽福田汽车股份有限公司 --short-name 福田汽车 --department 大客户部 --logo logo.png
  kam company show
"""

from __future__ import annotations

from typing import Any

import click
from rich.cells import cell_len

from commands._common import Kam, KamGroupBase, clean, local_time, pass_kam
from reports.context import DEFAULT_DEPARTMENT, DEFAULT_NAME
from workflow.operations import company as operations
from workflow.records.files import read_limited
from workflow.rules.files import MAX_LOGO_BYTES
from workflow.views import company as views


@click.group("company", cls=KamGroupBase, help=__doc__)
def company() -> None:
    pass


@company.command("set")
@click.option("--name", help="The company's full name (公司名称), as on contracts.")
@click.option("--short-name", help="The short name for the running header of every page (简称).")
@click.option("--department", help="The department that sends the documents (部门), e.g. 大客户部.")
@click.option("--address", help="Address (地址).")
@click.option("--phone", help="Phone (电话).")
@click.option("--website", help="Website (网址); printed, never fetched.")
@click.option("--logo", "logo_path", metavar="FILE", help="A PNG or JPEG of at most 1 MB (checked and re-encoded).")
@click.option("--no-logo", is_flag=True, help="Remove the logo.")
@pass_kam
def company_set(
    kam: Kam,
    name: str | None,
    short_name: str | None,
    department: str | None,
    address: str | None,
    phone: str | None,
    website: str | None,
    logo_path: str | None,
    no_logo: bool,
) -> None:
    """Set the letterhead (only what is given changes; "" clears a setting). Recorded in the ledger.

    Until the first `set`, PDFs print the built-in default (KAM_COMPANY, or 福田汽车 大客户部); the
    first `set` starts from it. SVG logos are refused: export a PNG.

    \b
    Example:
      kam company set --name 北汽福田汽车股份有限公司 --short-name 福田汽车 --department 大客户部
      kam company set --address "北京市昌平区沙河镇沙阳路" --phone 010-80708888 --website www.foton.com.cn
      kam company set --logo 福田标志.png
    """
    given = {
        "name": name,
        "short_name": short_name,
        "department": department,
        "address": address,
        "phone": phone,
        "website": website,
    }
    changes = {key: value for key, value in given.items() if value is not None}
    logo = (read_limited(logo_path, MAX_LOGO_BYTES, ("标志", "logo")), logo_path) if logo_path else None
    with kam.db.write() as session:
        defaults = _defaults(views.letterhead(session.connection()))
        operations.set_company(session, changes, actor=kam.actor, logo=logo, remove_logo=no_logo, defaults=defaults)
        data = views.show(session.connection(), kam.lang)
    kam.emit(data, lambda: _print(kam, data, kam.t("已更新公司信息", "company letterhead updated")))


def _defaults(head: Any) -> dict[str, str | None]:
    """What the first `set` starts from: the letterhead printed until now."""
    return {
        "name": head.name or DEFAULT_NAME,
        "short_name": head.short_name or None,
        "department": head.department or (DEFAULT_DEPARTMENT if head.is_default else None),
    }


@company.command("show")
@pass_kam
def company_show(kam: Kam) -> None:
    """Show the letterhead every PDF prints, and where it comes from. --json prints the settings.

    \b
    Example:
      kam company show
    """
    with kam.db.read() as session:
        data = views.show(session.connection(), kam.lang)
    kam.emit(data, lambda: _print(kam, data, None))


LABELS = {
    "name": ("公司名称", "Name"),
    "short_name": ("简称", "Short name"),
    "department": ("部门", "Department"),
    "address": ("地址", "Address"),
    "phone": ("电话", "Phone"),
    "website": ("网址", "Website"),
}


def _line(label: str, value: Any) -> None:
    """A label padded to 12 columns (a Chinese character is two), then the value."""
    click.echo(clean(label + " " * max(1, 12 - cell_len(label)) + str(value)))


def _print(kam: Kam, data: dict[str, Any], head: str | None) -> None:
    if head:
        click.echo(head)
    for key, (zh, en) in LABELS.items():
        _line(kam.t(zh, en), data[key] or "—")
    logo = data["logo"]
    _line(kam.t("标志", "Logo"), f"{logo['type']} {logo['size']:,} B sha256 {logo['sha256'][:12]}" if logo else "—")
    _line(kam.t("来源", "Source"), views.SOURCES[data["source"]].render(kam.lang))
    if data["updated_by"]:
        _line(kam.t("更新", "Updated"), f"{data['updated_by']} {local_time(data['updated_at'])}")


COMMAND = company
