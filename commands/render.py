"""kam doc render / render-all, and kam doctor: documents as Chinese PDFs, and what they need."""

from __future__ import annotations

import sys

import click

from commands._common import Kam, KamCommand, clean, output_path, pass_kam
from commands.documents import doc


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
    from workflow import rendering

    path = output_path(output, force)
    with kam.db.write() as session:
        result = rendering.render_document(
            session, opportunity_id, kind, path, actor=kam.actor, version=version, lang=kam.lang, process=kam.process
        )
    kam.emit(
        result.__dict__,
        lambda: kam.say(
            f"已生成 {result.path}（{kind} v{result.version}，{result.size // 1024} KB，sha256 {result.sha256[:12]}）",
            f"wrote {result.path} ({kind} v{result.version}, {result.size // 1024} KB, sha256 {result.sha256[:12]})",
        ),
    )


@doc.command("render-all")
@click.argument("opportunity_id", type=int)
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), help="The folder for the PDFs.")
@click.option("--force", is_flag=True, help="Overwrite PDFs that exist.")
@click.option("--workers", type=click.IntRange(1, 64), help="Processes to render with (default: every core).")
@pass_kam
def doc_render_all(kam: Kam, opportunity_id: int, out_dir: str, force: bool, workers: int | None) -> None:
    """Render the latest version of every document of an opportunity, using every core.

    \b
    Example:
      kam doc render-all 1 -o pdf/
    """
    from pathlib import Path

    from reports import render_many
    from workflow import rendering

    with kam.db.read() as session:
        jobs = rendering.jobs_for(session, opportunity_id, Path(out_dir), kam.lang, kam.process)
    if not jobs:
        kam.say(f"商机 {opportunity_id} 还没有文档可生成", f"opportunity {opportunity_id} has no documents to render")
        kam.emit([])
        return
    for _, job in jobs:
        output_path(str(job.output), force)
    results = _with_progress(kam, [job for _, job in jobs], workers, render_many)
    with kam.db.write() as session:
        for (document_id, _), result in zip(jobs, results, strict=True):
            rendering.record(session, document_id, kam.lang, result.sha256, str(result.path), kam.actor)
    data = [{"kind": job.kind, "path": str(r.path), "sha256": r.sha256, "size": r.size, "seconds": round(r.seconds, 3)} for (_, job), r in zip(jobs, results, strict=True)]
    kam.emit(data, lambda: kam.say(f"已生成 {len(data)} 份 PDF：{out_dir}", f"wrote {len(data)} PDFs to {out_dir}"))


def _with_progress(kam: Kam, jobs: list, workers: int | None, render_many):  # type: ignore[no-untyped-def]
    """A progress bar on a terminal; one line per PDF otherwise (logs, pipes)."""
    if kam.json:
        return render_many(jobs, workers=workers)
    if not sys.stderr.isatty():
        return render_many(jobs, workers=workers, progress=lambda done, total, r: click.echo(f"[{done}/{total}] {clean(r.path)}", err=True))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True)) as bar:
        task = bar.add_task(kam.t("生成 PDF", "rendering PDFs"), total=len(jobs))
        return render_many(jobs, workers=workers, progress=lambda done, total, r: bar.update(task, completed=done))


@click.command("doctor", cls=KamCommand)
@pass_kam
def doctor(kam: Kam) -> None:
    """Check fonts, the PDF subsetter and the database; say what is missing and how to fix it.

    \b
    Example:
      kam doctor
    """
    from reports import checks
    from workflow.db import display_url

    results = [{"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in checks()]
    try:
        revision = kam.db.current_revision()
        from migrations import HEAD

        # an empty database is fine: kam creates the schema on first use
        ok = revision in (None, HEAD)
        state = f"schema {revision}" if revision else kam.t("尚未创建，首次使用时自动创建", "empty; created on first use")
        detail = f"{display_url(kam.db.url)} ({state})"
        fix = "" if ok else "kam init"
    except Exception as exc:  # doctor reports problems, it does not stop at them
        ok, detail, fix = False, f"{display_url(kam.db.url)}: {getattr(exc, 'message', exc)}", "check --db / KAM_DATABASE_URL"
    results.append({"name": "database", "ok": ok, "detail": detail, "fix": fix})

    def human() -> None:
        for r in results:
            mark = click.style("✓", fg="green") if r["ok"] else click.style("✗", fg="red")
            click.echo(f"{mark} {r['name']:<14} {clean(r['detail'])}")
            if not r["ok"] and r["fix"]:
                click.echo(f"  {kam.t('修复', 'fix')}: {r['fix']}")

    kam.emit(results, human)
    if not all(r["ok"] for r in results):
        raise SystemExit(1)


COMMANDS = [doctor]
