"""Stage documents (输出物): template, fill, list, show, diff, render.

\b
Example:
  kam doc template visit-feedback > visit.yaml
  kam doc fill 1 visit-feedback --file visit.yaml
  kam doc show 1 visit-feedback
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

import forms
from commands._common import Kam, KamGroupBase, clean, local_time, output_path, pass_kam, write_output
from commands._table import table
from forms.diff import diff, render
from forms.interactive import FillAborted, fill
from forms.reading import read_document
from forms.template import template
from reports import RenderJob, RenderResult
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.operations import attachments, documents, renders
from workflow.records import queries
from workflow.records.files import inside, write_atomic
from workflow.views import bundle
from workflow.views import documents as views


@click.group("doc", cls=KamGroupBase, help=__doc__)
def doc() -> None:
    pass


@doc.command("template")
@click.argument("kind")
@click.option(
    "--xlsx", "xlsx_path", metavar="FILE", help="Write an Excel form (.xlsx) to fill in Excel or WPS instead."
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@pass_kam
def doc_template(kam: Kam, kind: str, xlsx_path: str | None, force: bool) -> None:
    """Print a commented YAML skeleton of KIND to fill in, or write it as an Excel form.

    The Excel form has one sheet: a row per field with its Chinese and English
    label and its key, required fields marked *, drop-down lists for every
    choice, date cells, and tables for lists; a second sheet explains how to
    fill it. `kam doc fill ID KIND --file FORM.xlsx` reads it back.

    \b
    Example:
      kam doc template phone-invite-feedback > invite.yaml
      kam doc template visit-feedback --xlsx 拜访反馈.xlsx
    """
    forms.check_kind(kind)
    if xlsx_path is None:
        click.echo(template(kind, kam.lang), nl=False)
        return
    from forms.xlsx import write_template  # openpyxl: only for an Excel form

    path = write_output(xlsx_path, write_template(kind, kam.lang), force)
    size = path.stat().st_size
    kam.emit(
        {"kind": kind, "path": str(path), "size": size},
        lambda: kam.say(
            f"已生成 {path}（《{forms.title(kind, 'zh')}》Excel 表单，{size // 1024} KB）",
            f"wrote {path} (the {forms.title(kind, 'en')} as an Excel form, {size // 1024} KB)",
        ),
    )


@doc.command("fill")
@click.argument("opportunity_id", type=int)
@click.argument("kind")
@click.option(
    "--file",
    "path",
    help="YAML or JSON file ('-' for stdin), an Excel form (.xlsx), or a draft kam saved; "
    "without it, kam asks field by field.",
)
@pass_kam
def doc_fill(kam: Kam, opportunity_id: int, kind: str, path: str | None) -> None:
    """Validate a document and store it as the next version.

    Every problem is listed at once, with its key path (in an Excel form, its
    cell); nothing is stored unless the whole document is valid, and nothing
    when it is identical to the newest version. Without --file kam asks field by
    field, shows every answer numbered before saving (a number edits it, < goes
    back) and, if cancelled (n, Ctrl-C, end of input), keeps what was typed as
    a draft and prints the command that goes on with it.

    \b
    Example:
      kam doc fill 1 visit-feedback --file visit.yaml
      kam doc fill 1 visit-feedback --file 拜访反馈.xlsx
      kam doc fill 1 phone-invite-feedback          # interactive
    """
    forms.check_kind(kind)
    draft: Path | None = None
    if path is None:
        data = _interactive(kam, opportunity_id, kind)
    elif path != "-" and _is_workbook(path):
        from forms.xlsx import load_form  # openpyxl: only for an Excel form

        data = load_form(kind, path)  # every problem named by its cell (B12 电话)
    elif path != "-" and _is_draft(path):
        draft = Path(path)
        data = _interactive(kam, opportunity_id, kind, resume=draft)
    else:
        data = read_document(path)
    _lays_out(kam, opportunity_id, kind, data)
    with kam.db.write() as session:
        d, stored = documents.fill_if_changed(session, opportunity_id, kind, data, actor=kam.actor)
        out = {"id": opportunity_id, "kind": kind, "version": d.version, "sha256": d.sha256, "stored": stored}
    if draft is not None and draft.resolve().parent == _drafts().resolve():
        draft.unlink(missing_ok=True)  # the draft kam kept is used up; a copy elsewhere is the user's
    if stored:
        kam.emit(
            out,
            lambda: kam.say(
                f"已保存 {kind} v{out['version']}（商机 {opportunity_id}）",
                f"stored {kind} v{out['version']} for opportunity {opportunity_id}",
            ),
        )
        return
    kam.emit(
        out,
        lambda: kam.say(
            f"与 {kind} v{out['version']} 完全相同，未保存新版本（商机 {opportunity_id}）",
            f"identical to {kind} v{out['version']}; no new version stored for opportunity {opportunity_id}",
        ),
    )


def _lays_out(kam: Kam, opportunity_id: int, kind: str, data: Any) -> None:
    """A large document is laid out once before it is stored (outside the write transaction), so a document kam
    accepts always renders: past `reports.pdf.FILL_MAX_PAGES` it is refused here, nothing stored (issue 12)."""
    try:
        stored = forms.dump(forms.validate(kind, data))
    except InvalidInput:
        return  # the write refuses it, every problem named
    if forms.layout_weight(stored) < forms.TRIAL_LAYOUT_WEIGHT:
        return
    from reports import trial_layout
    from reports.errors import TooManyPages

    with kam.db.read() as session:
        job = views.trial_job(session, kam.process, opportunity_id, kind, stored, lang=kam.lang, actor=kam.actor)
    try:
        trial_layout(job)
    except TooManyPages as exc:
        raise InvalidInput(
            t(
                f"{exc.message.zh}；未保存",
                f"{exc.message.en}; nothing was stored",
            )
        ) from None


# What an Excel (or WPS, LibreOffice) file is called or starts with; forms.xlsx names what it cannot read.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".et", ".ods")
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # a zip (xlsx, xlsm, ods) or an OLE package (xls, encrypted)


def _is_workbook(path: str) -> bool:
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    try:
        with open(path, "rb") as source:
            return source.read(4) in WORKBOOK_MAGIC
    except OSError:
        return False  # read_document names the problem


# The first line of a draft: `--file` with such a file goes on asking instead of storing it as it is.
DRAFT_MARK = "# kam draft"


def _drafts() -> Path:
    from workflow.records.files import data_dir

    return data_dir() / "drafts"


def _is_draft(path: str) -> bool:
    try:
        with open(path, "rb") as source:
            return source.read(len(DRAFT_MARK)) == DRAFT_MARK.encode()
    except OSError:
        return False  # read_document names the problem


def _interactive(kam: Kam, opportunity_id: int, kind: str, resume: Path | None = None) -> dict[str, Any]:
    """Ask field by field (works with piped input), with defaults and suggestions from what kam already knows."""
    with kam.db.read() as session:
        defaults = views.defaults_for(session, opportunity_id, kind)
        suggestions = views.suggestions_for(session, opportunity_id, kind)
    draft = read_document(str(resume)) if resume is not None else None
    if draft is not None and not isinstance(draft, dict):
        raise InvalidInput(t(f"{resume} 不是 {kind} 的草稿", f"{resume} is not a draft of {kind}"))

    def ask(prompt: str, default: str | None) -> str:
        try:
            answer: str = click.prompt(prompt, default=default or "", show_default=bool(default), err=True, type=str)
        except click.Abort:  # Ctrl-C or the end of the input: the fill keeps a draft
            click.echo("", err=True)
            raise EOFError from None
        return answer

    try:
        return fill(
            kind,
            ask,
            lambda text: click.echo(clean(text), err=True),
            defaults=defaults,
            lang=kam.lang,
            suggestions=suggestions,
            resume=draft,
        )
    except FillAborted as exc:
        if not exc.draft:
            raise InvalidInput(t("已取消，未保存任何内容", "cancelled; nothing was stored")) from None
        where = _keep_draft(kam, opportunity_id, kind, exc.draft, resume)
        again = _resume_command(kam, opportunity_id, kind, where)
        raise InvalidInput(
            t("已取消，未保存到数据库", "cancelled; nothing was stored in the database"),
            [
                t(f"已填内容存为草稿：{where}", f"what you typed is kept in {where}"),
                t(f"继续填写：{again}", f"to go on: {again}"),
            ],
        ) from None


def _keep_draft(kam: Kam, opportunity_id: int, kind: str, data: dict[str, Any], path: Path | None) -> Path:
    """Write what was typed to the drafts folder (or over the draft being resumed)."""
    import datetime as dt

    import yaml

    if path is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = _drafts() / f"{opportunity_id}-{kind}-{stamp}.yaml"
    head = f"{DRAFT_MARK}: {forms.title(kind, kam.lang)} ({kind}), {kam.t('商机', 'opportunity')} {opportunity_id}\n"
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return write_atomic(path, (head + body).encode())


def _resume_command(kam: Kam, opportunity_id: int, kind: str, path: Path) -> str:
    import re
    import shlex

    url = kam.db_url
    # the database only when it is named by --db or the environment, and never with a password in it
    db = f" --db {shlex.quote(url)}" if url and not re.search(r"://[^/@]*:[^/@]*@", url) else ""
    return f"kam{db} doc fill {opportunity_id} {kind} --file {shlex.quote(str(path))}"


@doc.command("list")
@click.argument("opportunity_id", type=int)
@pass_kam
def doc_list(kam: Kam, opportunity_id: int) -> None:
    """List an opportunity's documents and versions.

    \b
    Example:
      kam doc list 1
    """
    with kam.db.read() as session:
        docs = [views.document(d) for d in queries.list_documents(session, opportunity_id)]
    if kam.json:
        kam.emit(docs)
        return
    if not docs:
        kam.say(
            f"商机 {opportunity_id} 还没有文档：用 kam doc template KIND 开始",
            f"opportunity {opportunity_id} has no documents yet: start with kam doc template KIND",
        )
        return
    table(
        [
            kam.t(*h)
            for h in (
                ("文档", "Document"),
                ("类型", "Kind"),
                ("版本", "Version"),
                ("填写人", "Author"),
                ("时间", "When"),
                ("摘要", "SHA-256"),
            )
        ],
        [
            (
                forms.title(d["kind"], kam.lang),
                d["kind"],
                d["version"],
                d["author"],
                local_time(d["created_at"]),
                d["sha256"][:12],
            )
            for d in docs
        ],
    )


@doc.command("show")
@click.argument("opportunity_id", type=int)
@click.argument("kind")
@click.option("--version", type=int, help="A given version (default: the latest).")
@pass_kam
def doc_show(kam: Kam, opportunity_id: int, kind: str, version: int | None) -> None:
    """Show a document version as YAML (or JSON with --json).

    \b
    Example:
      kam doc show 1 visit-feedback --version 1
    """
    import yaml  # 10-20 ms: only `doc show` prints YAML

    with kam.db.read() as session:
        d = queries.get_document(session, opportunity_id, kind, version)
        data = views.document(d, with_data=True)
    if kam.json:
        kam.emit(data)
        return
    click.echo(
        clean(
            f"# {kind} v{data['version']}  {data['author']}  {local_time(d.created_at)}  sha256 {data['sha256'][:12]}"
        )
    )
    click.echo(clean(yaml.safe_dump(data["data"], allow_unicode=True, sort_keys=False)), nl=False)


@doc.command("diff")
@click.argument("opportunity_id", type=int)
@click.argument("kind")
@click.argument("versions", nargs=-1, type=int)
@pass_kam
def doc_diff(kam: Kam, opportunity_id: int, kind: str, versions: tuple[int, ...]) -> None:
    """Show what changed between two versions (default: the last two).

    \b
    Example:
      kam doc diff 1 negotiation-minutes
      kam doc diff 1 negotiation-minutes 1 3
    """
    if len(versions) not in (0, 2):
        raise click.UsageError(kam.t("请给出两个版本号（A B），或都不给", "give two versions (A B) or none"))
    with kam.db.read() as session:
        newest = queries.get_document(session, opportunity_id, kind)
        if versions:
            a, b = versions
        elif newest.version < 2:
            raise InvalidInput(
                t(f"{kind} 只有 v1，没有可比较的版本", f"{kind} has only v1; there is nothing to compare")
            )
        else:
            a, b = newest.version - 1, newest.version
        old = queries.get_document(session, opportunity_id, kind, a).data
        new = queries.get_document(session, opportunity_id, kind, b).data
    changes = diff(old, new)
    data = {
        "id": opportunity_id,
        "kind": kind,
        "from": a,
        "to": b,
        "changes": [{"path": c.path, "old": c.old, "new": c.new} for c in changes],
    }

    def human() -> None:
        click.echo(f"{kind} v{a} → v{b}")
        if not changes:
            kam.say("  两个版本内容相同", "  the two versions are identical")
        for line in render(changes, kind, kam.lang):
            click.echo("  " + clean(line))

    kam.emit(data, human)


@doc.command("render")
@click.argument("opportunity_id", type=int)
@click.argument("kind")
@click.option("--version", type=int, help="A given version (default: the latest).")
@click.option(
    "--internal",
    is_flag=True,
    help="The full internal edition (marked 内部资料 · 请勿外传) of a customer-facing kind; internal kinds always are.",
)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="The PDF file to write.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@pass_kam
def doc_render(
    kam: Kam, opportunity_id: int, kind: str, version: int | None, internal: bool, output: str, force: bool
) -> None:
    """Render a document version as an A4 PDF (the same version always gives the same bytes).

    A customer-facing kind (product-proposal, exchange-minutes, negotiation-minutes,
    service-plan) prints its customer edition: on the letterhead, without the fields
    marked internal, with both sides' signature and seal areas; --internal prints
    everything. Internal kinds print their internal edition.

    \b
    Example:
      kam doc render 1 product-proposal -o 产品推介书.pdf
      kam doc render 1 product-proposal --internal -o 产品推介书-内部.pdf
      kam --lang en doc render 1 negotiation-minutes --version 2 -o minutes-v2.pdf
    """
    forms.check_kind(kind)
    path = output_path(output, force)
    with kam.db.read() as session:  # read what to render; no write lock is held while WeasyPrint runs
        stored, job = views.render_job(
            session, kam.process, opportunity_id, kind, path, version=version, lang=kam.lang, internal=internal
        )
        document_id, doc_version = stored.id, stored.version
    (result,) = _render(kam, [job], workers=1)
    write_atomic(path, result.pdf)
    with kam.db.write() as session:  # then record the render, in a short write
        renders.record(session, document_id, kam.lang, result.sha256, str(path), kam.actor)
    edition = job.edition or "internal"
    data = {
        "kind": kind,
        "version": doc_version,
        "edition": edition,
        "path": str(path),
        "sha256": result.sha256,
        "size": result.size,
    }
    kam.emit(
        data,
        lambda: kam.say(
            f"已生成 {path}（{kind} v{doc_version}，{EDITION_ZH[edition]}，{result.size // 1024} KB，"
            f"sha256 {result.sha256[:12]}）",
            f"wrote {path} ({kind} v{doc_version}, {edition} edition, {result.size // 1024} KB, "
            f"sha256 {result.sha256[:12]})",
        ),
    )


EDITION_ZH = {"customer": "客户版", "internal": "内部版"}


@doc.command("render-all")
@click.argument("opportunity_id", type=int)
@click.option(
    "-o", "--output", "out_dir", metavar="DIR", help="The folder for the PDFs and attachments."
)  # plain text, not click.Path: its stat() fails with ValueError on a NUL byte, before check_arguments can refuse it
@click.option("--zip", "zip_path", metavar="FILE", help="Also (or instead) write it all as one zip.")
@click.option("--internal", is_flag=True, help="Internal editions of the customer-facing kinds too (see doc render).")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes to render with (default: every core).")
@pass_kam
def doc_render_all(
    kam: Kam,
    opportunity_id: int,
    out_dir: str | None,
    zip_path: str | None,
    internal: bool,
    force: bool,
    workers: int | None,
) -> None:
    """Render the latest version of every document of an opportunity (every core), with its attachments.

    Writes each PDF (its default edition, or --internal), every attached file
    (attachments/…, named by id: a stored name is never used as a path) and
    SHA256SUMS (`sha256sum -c SHA256SUMS` checks them). --zip FILE writes the
    same files as one zip.

    \b
    Example:
      kam doc render-all 1 -o pdf/
      kam doc render-all 1 --zip 包头项目.zip
    """
    if not out_dir and not zip_path:
        raise click.UsageError(kam.t("请给出 -o 文件夹 或 --zip 文件（或两者）", "give -o DIR or --zip FILE (or both)"))
    with kam.db.read() as session:
        jobs = views.render_jobs(session, kam.process, opportunity_id, kam.lang, internal=internal)
        attached = [
            (views.attachment_file_name(opportunity_id, row), row)
            for row in attachments.listed(session, opportunity_id)
        ]
    if not jobs and not attached:
        kam.say(f"商机 {opportunity_id} 还没有文档可生成", f"opportunity {opportunity_id} has no documents to render")
        kam.emit([])
        return
    names = [str(job.output) for _, job in jobs] + [name for name, _ in attached] + [bundle.SUMS]
    if out_dir:
        for name in names:
            output_path(str(inside(out_dir, name)), force)
    if zip_path:
        output_path(zip_path, force)
    results = _render(kam, [job for _, job in jobs], workers)
    entries = [
        bundle.Entry(str(job.output), r.pdf, job.ctx.created_at) for (_, job), r in zip(jobs, results, strict=True)
    ]
    with kam.db.read() as session:
        entries += [bundle.Entry(name, attachments.get(session, row.id)[1], row.created_at) for name, row in attached]
    if out_dir:
        bundle.write_folder(out_dir, entries)
    if zip_path:
        bundle.write_zip(zip_path, entries)
    with kam.db.write() as session:
        for (document_id, job), result in zip(jobs, results, strict=True):
            where = str(Path(out_dir) / job.output) if out_dir else f"{zip_path}:{job.output}"
            renders.record(session, document_id, kam.lang, result.sha256, where, kam.actor)
    data = [
        {
            "kind": job.kind,
            "edition": job.edition,
            "path": str(Path(out_dir) / job.output) if out_dir else str(job.output),
            "sha256": r.sha256,
            "size": r.size,
            "seconds": round(r.seconds, 3),
        }
        for (_, job), r in zip(jobs, results, strict=True)
    ] + [
        {
            "kind": row.kind,
            "attachment": row.id,
            "name": row.name,
            "media_type": row.media_type,
            "path": str(Path(out_dir) / name) if out_dir else name,
            "sha256": row.sha256,
            "size": row.size,
        }
        for name, row in attached
    ]
    where = " + ".join(x for x in (out_dir, zip_path) if x)
    kam.emit(
        data,
        lambda: kam.say(
            f"已生成 {len(jobs)} 份 PDF、{len(attached)} 个附件及 {bundle.SUMS}：{where}",
            f"wrote {len(jobs)} PDFs, {len(attached)} attachments and {bundle.SUMS} to {where}",
        ),
    )


def _render(kam: Kam, jobs: list[RenderJob], workers: int | None) -> list[RenderResult]:
    """The PDFs of `jobs` (one path for doc render and render-all): a progress bar on a terminal for many."""
    from reports import render_many  # the process pool and WeasyPrint load only to render

    if kam.json or len(jobs) <= 1:
        return render_many(jobs, workers=workers)
    if not sys.stderr.isatty():
        return render_many(
            jobs,
            workers=workers,
            progress=lambda done, total, r: click.echo(f"[{done}/{total}] {clean(r.path)}", err=True),
        )
    from rich.console import Console  # rich's progress bar: only on a terminal
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        task = bar.add_task(kam.t("生成 PDF", "rendering PDFs"), total=len(jobs))
        return render_many(jobs, workers=workers, progress=lambda done, total, r: bar.update(task, completed=done))


COMMAND = doc
