"""The process kam enforces (built-in six steps, or --process FILE).

\b
Example:
  kam workflow show
  kam --process our-process.yaml workflow show
"""

from __future__ import annotations

import shutil
import subprocess

import click

from commands._common import Kam, KamGroupBase, clean, pass_kam
from commands._table import table
from forms.choices import LOST_REASON
from workflow.errors import InvalidInput
from workflow.i18n import t
from workflow.rules.process import LIMITS
from workflow.views.process import describe, dot, mermaid


@click.group("workflow", cls=KamGroupBase, help=__doc__)
def workflow() -> None:
    pass


@workflow.command("show")
@pass_kam
def workflow_show(kam: Kam) -> None:
    """Print the active process: stages, triggers, requirements.

    \b
    Example:
      kam --lang en workflow show
    """
    data = describe(kam.process, kam.lang)
    if kam.json:
        kam.emit(data)
        return
    click.echo(clean(f"{data['label']} ({data['name']})  {kam.t('来源', 'source')}: {data['source']}"))
    table(
        [
            kam.t(*h)
            for h in (
                ("步", "Step"),
                ("阶段", "Stage"),
                ("标识", "Id"),
                ("期限", "Deadline"),
                ("离开", "Trigger"),
                ("条件", "Requires"),
            )
        ],
        [
            (
                s["step"],
                s["label"],
                s["id"],
                kam.t(f"{s['expected_days']} 天", f"{s['expected_days']} d") if s["expected_days"] else "—",
                f"{s['trigger']} → {s['to']}" if s["trigger"] else "—",
                "; ".join(
                    r["text"]
                    + (kam.t(f"（{r['within_days']} 天内）", f" (within {r['within_days']} d)") if r["within_days"] else "")  # noqa: E501
                    for r in s["requires"]
                )
                or "; ".join(
                    kam.t(
                        f"签约后 {e['within_days']} 天内提交 {e['document']}（逾期提示，不阻止）",
                        f"{e['document']} due within {e['within_days']} days (reported, not blocking)",
                    )
                    for e in s["expects"]
                ),
            )
            for s in data["stages"]
        ],
    )
    click.echo(kam.t("其他触发器：", "Other triggers:"))
    reasons = ", ".join(
        f"{r} ({LOST_REASON.label(r, kam.lang)})" if kam.lang == "zh" else r for r in data["lost_reasons"]
    )
    click.echo(
        kam.t(
            f"  lose    任一未签约阶段 → 已丢单；原因：{reasons}",
            f"  lose    any open stage → lost; reasons: {reasons}",
        )
    )
    click.echo(kam.t("  reopen  已丢单 → 丢单时所在阶段", "  reopen  lost → the stage it was lost from"))
    click.echo(kam.t("  revert  退回上一阶段（需说明原因）", "  revert  one stage back (with a reason)"))
    click.echo(
        kam.t(
            "  hold / resume  暂停 / 恢复；暂停中的商机不能推进",
            "  hold / resume  pause / resume; a held opportunity cannot advance",
        )
    )
    click.echo(
        clean(
            kam.t("会签部门：", "Sign-off departments: ")
            + ", ".join(kam.process.department_label(d, kam.lang) for d in data["departments"])
        )
    )
    for name, value in data["limits"].items():
        click.echo(f"  {name} = {value:g}  ({LIMITS[name].render(kam.lang)})")


@workflow.command("diagram")
@click.option("--svg", "svg_path", metavar="FILE", help="Write an SVG drawing instead (needs Graphviz `dot`).")
@pass_kam
def workflow_diagram(kam: Kam, svg_path: str | None) -> None:
    """Print the process as a Mermaid state diagram, or draw it as SVG with Graphviz.

    \b
    Example:
      kam workflow diagram > process.mmd
      kam workflow diagram --svg process.svg
    """
    if svg_path is None:
        click.echo(mermaid(kam.process, kam.lang), nl=False)
        return
    _render_svg(dot(kam.process, kam.lang), svg_path)
    kam.emit({"svg": svg_path}, lambda: kam.say(f"已生成 {svg_path}", f"wrote {svg_path}"))


def _render_svg(source: str, path: str) -> None:
    program = shutil.which("dot")
    if program is None:
        raise InvalidInput(
            t(
                "未找到 Graphviz 的 dot 程序：安装 graphviz（如 apt-get install graphviz）后重试，或不加 --svg 输出 "
                "Mermaid 文本",
                "Graphviz `dot` was not found: install graphviz (e.g. apt-get install graphviz) and retry, or drop "
                "--svg for Mermaid text",
            )
        )
    try:
        done = subprocess.run(
            [program, "-Tsvg", "-o", path], input=source.encode("utf-8"), capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InvalidInput(t(f"Graphviz 运行失败：{exc}", f"Graphviz failed: {exc}")) from None
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InvalidInput(
            t(
                f"Graphviz 无法写入 {path}：{problem[-1] if problem else done.returncode}",
                f"Graphviz could not write {path}: {problem[-1] if problem else done.returncode}",
            )
        )


COMMAND = workflow
