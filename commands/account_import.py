"""kam account import and kam account stale : customers in bulk, and which ones are due for review."""

from __future__ import annotations

import click

from commands._common import Kam, local_time, pass_kam, table
from commands.accounts import account


@account.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and say what would be imported; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows and list the bad ones (default: any bad row stops the import).")
@pass_kam
def account_import(kam: Kam, file: str, dry_run: bool, skip_invalid: bool) -> None:
    """Add customers from a .csv or .xlsx file; the first row names the columns.

    Columns (English or Chinese): name/名称, type/性质, class/分类, industry/行业,
    fleet_size/保有量 (required); size/规模, market/市场, region/区域,
    main_brands/主要品牌, address/地址. Any bad row stops the whole import.

    \b
    Example:
      kam account import customers.xlsx --dry-run
      kam account import customers.csv --skip-invalid
    """
    from workflow.account_import import import_accounts

    with kam.db.write() as session:
        result = import_accounts(session, file, actor=kam.actor, dry_run=dry_run, skip_invalid=skip_invalid)

    def human() -> None:
        for error in result.errors:
            click.echo(f"  - {error.render(kam.lang)}", err=True)
        if dry_run:
            kam.say(f"检查完毕：{result.rows} 行，可导入 {result.imported} 个客户（未写入）", f"checked {result.rows} row(s): {result.imported} account(s) would be imported (nothing written)")
        else:
            kam.say(f"已导入 {result.imported} 个客户，跳过 {len(result.errors)} 行", f"imported {result.imported} account(s), skipped {len(result.errors)} row(s)")

    kam.emit(result.to_dict(kam.lang), human)


@account.command("stale")
@click.option("--days", type=click.IntRange(0, 36500), default=90, show_default=True, help="Not reviewed for this many days (seed 000: quarterly).")
@pass_kam
def account_stale(kam: Kam, days: int) -> None:
    """Customers whose stable data (profile, people) was not reviewed in 90 days.

    \b
    Example:
      kam account stale
      kam account edit 3 --reviewed
    """
    from workflow.account_import import stale_accounts

    with kam.db.read() as session:
        stale = stale_accounts(session, days=days)
    if kam.json:
        kam.emit([s.to_dict() for s in stale])
        return
    if not stale:
        kam.say(f"所有客户资料都在 {days} 天内确认过", f"every account was reviewed within {days} days")
        return
    table(
        [kam.t(*h) for h in (("编号", "ID"), ("名称", "Name"), ("分类", "Class"), ("上次确认", "Reviewed"), ("天数", "Days"))],
        [(s.id, s.name, s.account_class, local_time(s.reviewed_at) or kam.t("从未", "never"), s.days if s.days is not None else "—") for s in stale],
        title=kam.t(f"超过 {days} 天未确认的客户资料", f"Accounts not reviewed in {days} days"),
    )
    kam.say("确认资料仍准确：kam account edit ID --reviewed", "Confirm an account is still correct with: kam account edit ID --reviewed")


COMMANDS: list[click.Command] = []
