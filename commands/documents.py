"""kam doc … : the stage documents (输出物): templates, filling, versions."""

from __future__ import annotations

import click

from commands._common import Kam, KamGroupBase, clean, local_time, pass_kam, read_data_file, table


@click.group("doc", cls=KamGroupBase)
def doc() -> None:
    """Stage documents (输出物): template, fill, list, show, diff, render.

    \b
    Example:
      kam doc template visit-feedback > visit.yaml
      kam doc fill 1 visit-feedback --file visit.yaml
      kam doc show 1 visit-feedback
    """


@doc.command("template")
@click.argument("kind")
@pass_kam
def doc_template(kam: Kam, kind: str) -> None:
    """Print a commented YAML skeleton of KIND to fill in.

    \b
    Example:
      kam doc template phone-invite-feedback > invite.yaml
    """
    from forms.template import template
    from workflow.engine import check_kind

    check_kind(kind)
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
    from workflow import engine

    if path is None:
        data = _interactive(kam, opportunity_id, kind)
    else:
        engine.check_kind(kind)
        data = read_data_file(path)
    with kam.db.write() as session:
        d = engine.fill_document(session, opportunity_id, kind, data, actor=kam.actor)
        out = {"id": opportunity_id, "kind": kind, "version": d.version, "sha256": d.sha256}
    kam.emit(out, lambda: kam.say(f"已保存 {kind} v{out['version']}（商机 {opportunity_id}）", f"stored {kind} v{out['version']} for opportunity {opportunity_id}"))


def _interactive(kam: Kam, opportunity_id: int, kind: str) -> dict:
    """Ask field by field (works with piped input), with defaults from what kam already knows."""
    from forms.interactive import FillAborted, fill
    from workflow import engine
    from workflow.defaults import defaults_for
    from workflow.errors import InvalidInput
    from workflow.i18n import t

    engine.check_kind(kind)
    with kam.db.read() as session:
        defaults = defaults_for(session, opportunity_id, kind)

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
    from forms import title
    from workflow import engine, views

    with kam.db.read() as session:
        docs = [views.document(d) for d in engine.list_documents(session, opportunity_id)]
    if kam.json:
        kam.emit(docs)
        return
    if not docs:
        kam.say(f"商机 {opportunity_id} 还没有文档：用 kam doc template KIND 开始", f"opportunity {opportunity_id} has no documents yet: start with kam doc template KIND")
        return
    table(
        [kam.t(*h) for h in (("文档", "Document"), ("类型", "Kind"), ("版本", "Version"), ("填写人", "Author"), ("时间", "When"), ("摘要", "SHA-256"))],
        [
            (title(d["kind"], kam.lang), d["kind"], d["version"], d["author"], local_time(d["created_at"]), d["sha256"][:12])
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
    import yaml

    from workflow import engine, views

    with kam.db.read() as session:
        d = engine.get_document(session, opportunity_id, kind, version)
        data = views.document(d, with_data=True)
    if kam.json:
        kam.emit(data)
        return
    click.echo(clean(f"# {kind} v{data['version']}  {data['author']}  {local_time(d.created_at)}  sha256 {data['sha256'][:12]}"))
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
    from forms.diff import diff, render
    from workflow import engine
    from workflow.errors import InvalidInput
    from workflow.i18n import t

    if len(versions) not in (0, 2):
        raise click.UsageError("give two versions (A B) or none")
    with kam.db.read() as session:
        newest = engine.get_document(session, opportunity_id, kind)
        if versions:
            a, b = versions
        elif newest.version < 2:
            raise InvalidInput(t(f"{kind} 只有 v1，没有可比较的版本", f"{kind} has only v1; there is nothing to compare"))
        else:
            a, b = newest.version - 1, newest.version
        old = engine.get_document(session, opportunity_id, kind, a).data
        new = engine.get_document(session, opportunity_id, kind, b).data
    changes = diff(old, new)
    data = {"id": opportunity_id, "kind": kind, "from": a, "to": b, "changes": [{"path": c.path, "old": c.old, "new": c.new} for c in changes]}

    def human() -> None:
        click.echo(f"{kind} v{a} → v{b}")
        if not changes:
            kam.say("  两个版本内容相同", "  the two versions are identical")
        for line in render(changes, kind, kam.lang):
            click.echo("  " + clean(line))

    kam.emit(data, human)


COMMANDS = [doc]
