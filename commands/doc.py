"""Stage documents (输出物): template, fill, list, show, diff, render.

\b
Example:
  kam doc template visit-feedback > visit.yaml
  kam doc fill 1 visit-feedback --file visit.yaml
  kam doc show 1 visit-feedback
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import click

import forms
from commands._common import Kam, KamGroupBase, clean, local_time, output_path, pass_kam
from commands._table import table
from forms.diff import diff, render
from forms.interactive import FillAborted, fill
from forms.reading import read_document
from forms.template import template
from reports import RenderJob, RenderResult
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.operations import documents, renders
from workflow.records import queries
from workflow.records.files import write_atomic
from workflow.views import documents as views


@click.group("doc", cls=KamGroupBase, help=__doc__)
def doc() -> None:
    pass


@doc.command("template")
@click.argument("kind")
@pass_kam
def doc_template(kam: Kam, kind: str) -> None:
    """Print a commented YAML skeleton of KIND to fill in.

    \b
    Example:
      kam doc template phone-invite-feedback > invite.yaml
    """
    forms.check_kind(kind)
    click.echo(template(kind, kam.lang), nl=False)


@doc.command("fill")
@click.argument("opportunity_id", type=int)
@click.argument("kind")
@click.option("--file", "path", help="YAML or JSON file ('-' for stdin); without it, kam asks field by field.")
@pass_kam
def doc_fill(kam: Kam, opportunity_id: int, kind: str, path: str | None) -> None:
    """Validate a document and store it as the next version.

    Every problem is listed at once, with its key path; nothing is stored
    unless the whole document is valid.

    \b
    Example:
      kam doc fill 1 visit-feedback --file visit.yaml
      kam doc fill 1 phone-invite-feedback          # interactive
    """
    if path is None:
        data = _interactive(kam, opportunity_id, kind)
    else:
        forms.check_kind(kind)
        data = read_document(path)
    with kam.db.write() as session:
        d = documents.fill_document(session, opportunity_id, kind, data, actor=kam.actor)
        out = {"id": opportunity_id, "kind": kind, "version": d.version, "sha256": d.sha256}
    kam.emit(
        out,
        lambda: kam.say(
            f"已保存 {kind} v{out['version']}（商机 {opportunity_id}）",
            f"stored {kind} v{out['version']} for opportunity {opportunity_id}",
        ),
    )


def _interactive(kam: Kam, opportunity_id: int, kind: str) -> dict[str, Any]:
    """Ask field by field (works with piped input), with defaults from what kam already knows."""
    forms.check_kind(kind)
    with kam.db.read() as session:
        defaults = views.defaults_for(session, opportunity_id, kind)

    def ask(prompt: str, default: str | None) -> str:
        return click.prompt(prompt, default=default or "", show_default=bool(default), err=True, type=str)

    try:
        return fill(kind, ask, lambda text: click.echo(text, err=True), defaults=defaults, lang=kam.lang)
    except (FillAborted, click.Abort, EOFError):
        raise InvalidInput(t("已取消，未保存任何内容", "cancelled; nothing was stored")) from None


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
        raise click.UsageError("give two versions (A B) or none")
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
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="The PDF file to write.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@pass_kam
def doc_render(kam: Kam, opportunity_id: int, kind: str, version: int | None, output: str, force: bool) -> None:
    """Render a document version as an A4 PDF (the same version always gives the same bytes).

    \b
    Example:
      kam doc render 1 visit-feedback -o 拜访反馈报告.pdf
      kam --lang en doc render 1 negotiation-minutes --version 2 -o minutes-v2.pdf
    """
    path = output_path(output, force)
    with kam.db.read() as session:  # read what to render; no write lock is held while WeasyPrint runs
        stored, job = views.render_job(session, kam.process, opportunity_id, kind, path, version=version, lang=kam.lang)
        document_id, doc_version = stored.id, stored.version
    digest, size = render_job(job)
    with kam.db.write() as session:  # then record the render, in a short write
        renders.record(session, document_id, kam.lang, digest, str(path), kam.actor)
    data = {"kind": kind, "version": doc_version, "path": str(path), "sha256": digest, "size": size}
    kam.emit(
        data,
        lambda: kam.say(
            f"已生成 {path}（{kind} v{doc_version}，{size // 1024} KB，sha256 {digest[:12]}）",
            f"wrote {path} ({kind} v{doc_version}, {size // 1024} KB, sha256 {digest[:12]})",
        ),
    )


@doc.command("render-all")
@click.argument("opportunity_id", type=int)
@click.option(
    "-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="The folder for the PDFs."
)
@click.option("--force", is_flag=True, help="Overwrite PDFs that exist.")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes to render with (default: every core).")
@pass_kam
def doc_render_all(kam: Kam, opportunity_id: int, out_dir: str, force: bool, workers: int | None) -> None:
    """Render the latest version of every document of an opportunity, using every core.

    \b
    Example:
      kam doc render-all 1 -o pdf/
    """
    with kam.db.read() as session:
        jobs = views.render_jobs(session, kam.process, opportunity_id, Path(out_dir), kam.lang)
    if not jobs:
        kam.say(f"商机 {opportunity_id} 还没有文档可生成", f"opportunity {opportunity_id} has no documents to render")
        kam.emit([])
        return
    for _, job in jobs:
        output_path(str(job.output), force)
    results = _with_progress(kam, [job for _, job in jobs], workers)
    with kam.db.write() as session:
        for (document_id, _), result in zip(jobs, results, strict=True):
            renders.record(session, document_id, kam.lang, result.sha256, str(result.path), kam.actor)
    data = [
        {"kind": job.kind, "path": str(r.path), "sha256": r.sha256, "size": r.size, "seconds": round(r.seconds, 3)}
        for (_, job), r in zip(jobs, results, strict=True)
    ]
    kam.emit(data, lambda: kam.say(f"已生成 {len(data)} 份 PDF：{out_dir}", f"wrote {len(data)} PDFs to {out_dir}"))


def _with_progress(kam: Kam, jobs: list[RenderJob], workers: int | None) -> list[RenderResult]:
    """A progress bar on a terminal; one line per PDF otherwise (logs, pipes)."""
    from reports import render_many  # the process pool and WeasyPrint load only to render

    if kam.json:
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


def render_job(job: RenderJob) -> tuple[str, int]:
    """Render one job and write its PDF whole or not at all; (sha256, size)."""
    from reports import render_pdf  # Jinja2 and WeasyPrint load only to render
    from reports.html import load_document

    pdf = render_pdf(load_document(job.kind, job.data), job.ctx, job.lang, kind=job.kind)
    write_atomic(job.output, pdf)
    return hashlib.sha256(pdf).hexdigest(), len(pdf)


COMMAND = doc
