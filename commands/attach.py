"""Files attached to an opportunity (附件): site photos, tender files, signed scans; listed in its PDFs.

\b
Example:
  kam attach add 1 现场照片1.jpg 现场照片2.jpg --kind visit-feedback --note 客户车场
  kam attach list 1
  kam attach get 3 -o 招标文件.pdf
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from commands._common import Kam, KamGroupBase, local_time, pass_kam, write_output
from commands._table import table
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.operations import attachments
from workflow.records.files import read_limited
from workflow.rules.files import MAX_ATTACHMENT_BYTES


@click.group("attach", cls=KamGroupBase, help=__doc__)
def attach() -> None:
    pass


def _row(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "opportunity_id": row.opportunity_id,
        "kind": row.kind,
        "name": row.name,
        "media_type": row.media_type,
        "size": row.size,
        "sha256": row.sha256,
        "note": row.note,
        "actor": row.actor,
        "created_at": row.created_at,
    }


@attach.command("add")
@click.argument("opportunity_id", type=int)
@click.argument("files", nargs=-1, required=True)
@click.option("--kind", help="The document kind whose PDF lists them (e.g. visit-feedback); default: the opportunity.")
@click.option("--note", help="What they are (说明), printed in the internal edition.")
@click.option("--name", help="The name to keep instead of the file's own (one FILE only).")
@pass_kam
def attach_add(
    kam: Kam, opportunity_id: int, files: tuple[str, ...], kind: str | None, note: str | None, name: str | None
) -> None:
    """Attach files (each at most 20 MB; the same file twice is stored once). --json prints the new attachments.

    All the files are checked before any is stored: one bad file stores none.

    \b
    Example:
      kam attach add 1 现场照片.jpg --kind visit-feedback --note 客户车场，2026-09-08
      kam attach add 1 招标文件.pdf 盖章合同扫描件.pdf
    """
    if name is not None and len(files) != 1:
        raise InvalidInput(t("--name 只能用于一个文件", "--name works with one FILE only"))
    uploads = [
        attachments.Upload(
            name if name is not None else Path(path).name,
            read_limited(path, MAX_ATTACHMENT_BYTES, ("附件", "attachment")),
            path,
        )
        for path in files
    ]
    with kam.db.write() as session:
        added = attachments.add(session, opportunity_id, uploads, actor=kam.actor, kind=kind, note=note)
        rows = [_row(r) for r in added]

    def human() -> None:
        for r in rows:
            kam.say(
                f"已添加附件 {r['id']}：{r['name']}（{r['size']:,} 字节，sha256 {r['sha256'][:12]}）",
                f"attached {r['id']}: {r['name']} ({r['size']:,} bytes, sha256 {r['sha256'][:12]})",
            )

    kam.emit(rows, human)


@attach.command("list")
@click.argument("opportunity_id", type=int)
@pass_kam
def attach_list(kam: Kam, opportunity_id: int) -> None:
    """List an opportunity's attachments. --json prints [{"id", "kind", "name", "media_type", "size", "sha256", …}].

    \b
    Example:
      kam attach list 1
    """
    with kam.db.read() as session:
        rows = [_row(r) for r in attachments.listed(session, opportunity_id)]
    if kam.json:
        kam.emit(rows)
        return
    if not rows:
        kam.say(
            f"商机 {opportunity_id} 没有附件：用 kam attach add {opportunity_id} 文件 添加",
            f"opportunity {opportunity_id} has no attachments: add one with kam attach add {opportunity_id} FILE",
        )
        return
    headers = (("编号", "Id"), ("文档", "Document"), ("文件名", "Name"), ("大小", "Size"), ("类型", "Type"),
               ("SHA-256", "SHA-256"), ("添加人", "By"), ("时间", "When"), ("说明", "Note"))  # fmt: skip
    table(
        [kam.t(*h) for h in headers],
        [
            (r["id"], r["kind"] or "—", r["name"], f"{r['size']:,}", r["media_type"], r["sha256"][:12], r["actor"],
             local_time(r["created_at"]), r["note"] or "")
            for r in rows
        ],
    )  # fmt: skip


@attach.command("get")
@click.argument("attachment_id", type=int)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@pass_kam
def attach_get(kam: Kam, attachment_id: int, output: str, force: bool) -> None:
    """Write an attachment's bytes, exactly as they were added, to OUTPUT.

    \b
    Example:
      kam attach get 3 -o 招标文件.pdf
    """
    with kam.db.read() as session:
        row, content = attachments.get(session, attachment_id)
        data = _row(row)
    write_output(output, content, force)
    data["path"] = output
    kam.emit(
        data,
        lambda: kam.say(
            f"已写出附件 {attachment_id}（{data['name']}）：{output}",
            f"wrote attachment {attachment_id} ({data['name']}) to {output}",
        ),
    )


COMMAND = attach
