"""`kam demo`: a realistic end-to-end run on a fresh embedded database, shown as a transcript.

Every step is a real `kam` command run in-process against `OUT/kam.sqlite3`, so
what the demo prints is exactly what a manager would see typing it. The
documents it files are in `OUT/docs/` to read and reuse.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from forms import samples

DATA = samples.HERE
OWNER = "王磊"
ADMIN = "刘总"  # the first person on the roster, its admin
REVIEWERS = (("sales", "赵敏"), ("finance", "钱进"), ("legal", "孙律"), ("production", "李工"))

ACCOUNTS = [
    # (name, type, size, class, industry, fleet, market, region)
    ("包头市环境卫生服务中心", "government", None, "A", "环卫", "120", "local", "内蒙古包头"),
    ("包头鑫达汽车贸易有限公司", "enterprise", "medium", "B", "汽车经销", "60", "local", "内蒙古包头"),
    ("沈阳华信商贸有限公司", "enterprise", "medium", "B", "建材经销", "45", "domestic", "辽宁沈阳"),
]
# influence and stance as a manager types them (issue 16): the Chinese label, or the key
CONTACTS = [
    ("周海涛", "中心领导", "副主任", "最终拍板人", "高", "中立者"),
    ("赵建国", "车管科", "科长", "技术选型决策人", "高", "支持者"),
    ("孙丽", "采购科", "采购经理", "采购经理，筛选供应商", "medium", "neutral"),
    ("钱文斌", "财务科", "科长", "预算审核", "中", "不清楚"),
]


_NEEDS_QUOTES = re.compile(r"""[\s'"\\$`!*?&;|<>(){}\[\]#~]""")


def _shell(args: list[str]) -> str:
    """A command line as a person would type it: quotes only where the shell needs them."""
    return " ".join(shlex.quote(a) if not a or _NEEDS_QUOTES.search(a) else a for a in args)


class Transcript:
    """Runs kam commands in-process and prints them as `$ kam ...` followed by their output."""

    def __init__(self, out: Path, lang: str, kam: click.Command) -> None:
        self.out = out
        self.lang = lang
        self.kam = kam  # the top-level `kam` group, run in-process
        self.failures: list[str] = []

    def title(self, zh: str, en: str) -> None:
        text = zh if self.lang == "zh" else en
        click.secho(f"\n━━ {text} " + "━" * max(0, 60 - len(text) * 2), fg="cyan", bold=True)

    def note(self, zh: str, en: str) -> None:
        click.secho(f"# {zh if self.lang == 'zh' else en}", fg="bright_black")

    def run(self, *args: str, actor: str | None = None, expect: int = 0) -> int:
        shown = ["kam", *(["--actor", actor] if actor else []), *args]
        click.secho("$ " + _shell(shown), fg="green", bold=True)
        argv = ["--lang", self.lang, *(["--actor", actor] if actor else []), *args]
        try:
            self.kam.main(args=argv, prog_name="kam", standalone_mode=False)
            code = 0
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except SystemExit as exc:
            code = int(exc.code or 0)
        if code != expect:
            self.failures.append(f"kam {' '.join(args)} exited {code}, expected {expect}")
        return code

    def files(self) -> dict[str, str]:
        """A logo and two site photos to attach, drawn here (OUT/files), by their paths relative to OUT."""
        from PIL import Image, ImageDraw  # Pillow: only the demo draws pictures

        folder = self.out / "files"
        folder.mkdir(parents=True, exist_ok=True)
        logo = Image.new("RGBA", (480, 192), (255, 255, 255, 0))
        pen = ImageDraw.Draw(logo)
        pen.rectangle([8, 8, 184, 184], fill=(31, 58, 95, 255))
        pen.polygon([(40, 150), (96, 40), (152, 150)], fill=(255, 255, 255, 255))
        pen.ellipse([216, 40, 328, 152], fill=(160, 37, 27, 255))
        logo.save(folder / "福田标志.png")
        made = {"logo": "files/福田标志.png"}
        for i, sky in enumerate(((120, 170, 220), (150, 190, 230)), 1):
            photo = Image.new("RGB", (1600, 1200), sky)
            pen = ImageDraw.Draw(photo)
            pen.rectangle([0, 800, 1600, 1200], fill=(110, 110, 105))
            for x in range(120, 1500, 460):
                pen.rectangle([x, 560 - 40 * i, x + 360, 820], fill=(40, 120, 60))
                pen.rectangle([x + 260, 620, x + 360, 820], fill=(230, 230, 230))
            photo.save(folder / f"车场照片{i}.jpg", quality=85)
            made[f"photo{i}"] = f"files/车场照片{i}.jpg"
        return made

    def doc(self, kind: str, name: str | None = None, changes: dict[str, str] | None = None) -> str:
        """Write the demo document into OUT/docs (with top-level `changes`) and return its path relative to OUT."""
        target = self.out / "docs" / (name or f"{kind}.yaml")
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (DATA / f"{kind}.yaml").read_text(encoding="utf-8")
        for key, value in (changes or {}).items():
            text = re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.MULTILINE)
        target.write_text(text, encoding="utf-8")
        return str(target.relative_to(self.out))

    def type_into(self, kind: str, form: str) -> None:
        """Type the demo document into the Excel form at OUT/`form`, as a manager does in Excel or WPS."""
        from forms import xlsx

        (self.out / form).write_bytes(xlsx.write_template(kind, "zh", data=samples.load(kind)))


FLEET_LINES = """lines:
  - model: 洗扫车
    configuration: 福田 8 方洗扫车（国六）
    quantity: 20
    unit_price: 386,000
  - model: 压缩式垃圾车
    configuration: 福田欧曼 18 方后装压缩
    quantity: 4
    unit_price: 36.8万
"""


def _fleet_doc(demo: Transcript, kind: str, extra: str) -> str:
    """The sample of `kind` as the fleet deal: its lines instead of one quantity and price, plus `extra` keys."""
    target = demo.out / "docs" / f"车队-{kind}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (DATA / f"{kind}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^(quantity|unit_price|contract_no|quality_deposit|delivery_mode): .*\n", "", text, flags=re.M)
    target.write_text(text + FLEET_LINES + extra, encoding="utf-8")
    return str(target.relative_to(demo.out))


def _fleet(demo: Transcript, n: str) -> None:
    """A real fleet deal: two models at their own prices, two delivery batches, payments and an overdue receivable."""
    import datetime as dt

    run = demo.run
    today = dt.date.today()
    day = lambda n: (today + dt.timedelta(days=n)).isoformat()  # noqa: E731 - dates around the day of the demo
    demo.title(
        "一笔真实的车队合同：两种车型、分两批交货、回款",
        "A real fleet deal: two models, two delivery batches, money received",
    )
    run("opp", "new", "1", "20 台洗扫车 + 4 台压缩式垃圾车", "--owner", OWNER, "--quantity", "24", "--budget", "900万")
    run("opp", "advance", n)
    for kind in ("phone-invite-feedback", "visit-feedback", "product-proposal", "exchange-minutes"):
        run("doc", "fill", n, kind, "--file", demo.doc(kind))
        run("opp", "advance", n)
    run("doc", "fill", n, "evaluation-scorecard", "--file", demo.doc("evaluation-scorecard"))
    mode = "delivery_mode: 分两批交货（洗扫车 14 台先交，其余 10 台三周后），上完牌后在包头交车\n"
    run("doc", "fill", n, "negotiation-minutes", "--file", _fleet_doc(demo, "negotiation-minutes", mode))
    contract = _fleet_doc(
        demo,
        "contract-review",
        mode
        + "contract_no: BTHW-2027-007\n"
        + "quality_deposit: 91.92万\n"
        + f"deliveries:\n  - {{date: {day(-30)}, quantity: 14, region: 包头东河区}}\n"
        + f"  - {{date: {day(-9)}, quantity: 10, region: 包头青山区}}\n"
        + f"payments:\n  - {{milestone: 首付款, percent: 30, due: {day(-60)}}}\n"
        + f"  - {{milestone: 发车前, percent: 60, due: {day(-35)}}}\n"
        + f"  - {{milestone: 质保金, percent: 10, due: {day(356)}}}\n",
    )
    run("doc", "fill", n, "contract-review", "--file", contract)
    for department, reviewer in (("sales", "赵敏"), ("finance", "钱进"), ("legal", "孙律"), ("production", "李工")):
        run("review", "approve", n, "--department", department, "--comment", "同意", actor=reviewer)
    run("compliance", n)
    run("opp", "advance", n)
    demo.note(
        "财务到账后记录回款；超过未收金额的会被拒绝：", "Finance records money received; more than is owed is refused:"
    )
    run(
        "payment",
        "record",
        n,
        "--amount",
        "275.76万",
        "--date",
        day(-61),
        "--milestone",
        "首付款",
        "--note",
        "银行回单 0127",
    )
    run("payment", "record", n, "--amount", "3,000,000", "--date", day(-36), actor="钱进")
    run("payment", "record", n, "--amount", "9,000,000", "--date", day(-1), expect=1)
    run("payment", "list", n)


@contextmanager
def _inside(out: Path, db_url: str) -> Iterator[None]:
    """Run with OUT as working directory and the demo database as the default."""
    old_cwd, old_env = Path.cwd(), {k: os.environ.get(k) for k in ("KAM_DATABASE_URL", "KAM_USER", "KAM_PROCESS")}
    os.chdir(out)
    os.environ["KAM_DATABASE_URL"] = db_url
    os.environ["KAM_USER"] = OWNER
    os.environ.pop("KAM_PROCESS", None)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        for key, value in old_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(kam: click.Command, out_dir: str, lang: str = "zh", actor: str | None = None) -> None:
    """Walk a government fleet deal through all six steps, lose another, and show the pipeline."""
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "kam.sqlite3"
    for stale in out.glob("kam.sqlite3*"):  # a fresh database each run; nothing else is touched
        stale.unlink()
    with _inside(out, f"sqlite:///{db_path}"):
        demo = Transcript(out, lang, kam)
        _walk(demo)
    if demo.failures:
        raise click.ClickException("demo did not go as expected:\n  " + "\n  ".join(demo.failures))
    click.secho(
        f"\n{'演示完成' if lang == 'zh' else 'Demo complete'}: {out}  (kam.sqlite3, docs/)",
        fg="cyan",
        bold=True,
    )


def _walk(demo: Transcript) -> None:
    run = demo.run
    demo.title("准备：数据库、客户和联系人", "Set-up: database, accounts, contacts")
    run("init")
    for name, type_, size, class_, industry, fleet, market, region in ACCOUNTS:
        args = [
            "account",
            "add",
            name,
            "--type",
            type_,
            "--class",
            class_,
            "--industry",
            industry,
            "--fleet-size",
            fleet,
            "--market",
            market,
            "--region",
            region,
        ]
        if size:
            args += ["--size", size]
        run(*args)
    for name, dept, title, role, influence, stance in CONTACTS:
        run(
            "contact",
            "add",
            "1",
            name,
            "--department",
            dept,
            "--title",
            title,
            "--role",
            role,
            "--influence",
            influence,
            "--stance",
            stance,
        )
    run("account", "list")
    demo.note(
        "用户名单：第一个添加的人是管理员，此后只有管理员能修改；负责人和审批人都须在名单上：",
        "The roster: the first person added is its admin, who alone changes it from then on; "
        "owners and reviewers must be on it:",
    )
    run("user", "add", ADMIN, actor=ADMIN)
    run("user", "add", OWNER, "--department", "sales", actor=ADMIN)
    run("user", "add", "李娜", "--department", "sales", actor=ADMIN)
    for department, reviewer in REVIEWERS:
        run("user", "add", reviewer, "--role", "reviewer", "--department", department, actor=ADMIN)
    run("user", "list")
    files = demo.files()
    demo.note(
        "本公司信息印在每份 PDF 上（团队共用，保存在数据库中）：",
        "The company's letterhead, on every PDF (shared, in the database):",
    )
    run(
        "company", "set", "--name", "北汽福田汽车股份有限公司", "--short-name", "福田汽车", "--department", "大客户部",
        "--address", "北京市昌平区沙河镇沙阳路老牛湾村北", "--phone", "010-80708888", "--website", "www.foton.com.cn",
        "--logo", files["logo"],
    )  # fmt: skip

    demo.title("第一步：客户确定与电话邀约", "Step 1: target and phone invitation")
    run(
        "opp",
        "new",
        "1",
        "30 台国六压缩式垃圾车",
        "--owner",
        OWNER,
        "--quantity",
        "30",
        "--expected-close",
        "2026-12-15",
    )
    run("opp", "advance", "1")
    demo.note("没有电话邀约反馈单，不能进入拜访：", "No phone invitation feedback yet, so the visit step is refused:")
    run("opp", "advance", "1", expect=1)
    run("doc", "fill", "1", "phone-invite-feedback", "--file", demo.doc("phone-invite-feedback"))
    run("opp", "advance", "1")

    demo.title("第二步：上门拜访及产品推荐", "Step 2: visit and product pitch")
    run("opp", "check", "1", expect=1)
    demo.note(
        "拜访反馈报告在 Excel/WPS 中填写：先生成表单，填好后读入（问题会指明单元格）；同样的表单再读一次不产生新版本：",
        "The visit feedback is filled in Excel or WPS: write the form, read it back once filled (a problem names its "
        "cell); the same form read again makes no new version:",
    )
    run("doc", "template", "visit-feedback", "--xlsx", "docs/visit-feedback.xlsx", "--force")
    demo.type_into("visit-feedback", "docs/visit-feedback.xlsx")
    run("doc", "fill", "1", "visit-feedback", "--file", "docs/visit-feedback.xlsx")
    run("doc", "fill", "1", "visit-feedback", "--file", "docs/visit-feedback.xlsx")
    photos = (files["photo1"], files["photo2"])
    run("attach", "add", "1", *photos, "--kind", "visit-feedback", "--note", "客户车场现有车辆")
    run("opp", "advance", "1")

    demo.title("第三、四步：初步方案与技术交流", "Steps 3 and 4: initial solution and technical exchange")
    run("doc", "fill", "1", "product-proposal", "--file", demo.doc("product-proposal"))
    run("opp", "advance", "1")
    run("doc", "fill", "1", "exchange-minutes", "--file", demo.doc("exchange-minutes"))
    run("opp", "advance", "1")

    demo.title("第五步：项目评估、商务谈判与合同审核", "Step 5: evaluation, negotiation and contract review")
    run("doc", "fill", "1", "evaluation-scorecard", "--file", demo.doc("evaluation-scorecard"))
    run("doc", "fill", "1", "negotiation-minutes", "--file", demo.doc("negotiation-minutes"))
    demo.note("签约前必须通过合同审核与部门会签：", "Signing needs the contract review and the departmental sign-offs:")
    run("opp", "advance", "1", expect=1)
    demo.note(
        "第一稿合同审核表：数量、交期与谈判纪要不符，交期短于生产周期",
        "A first contract review: quantity and delivery differ from the minutes, delivery is shorter than production",
    )
    draft = demo.doc(
        "contract-review",
        "contract-review-draft.yaml",
        {"quantity": "32", "delivery_cycle_days": "40", "production_cycle_days": "60"},
    )
    run("doc", "fill", "1", "contract-review", "--file", draft)
    run("compliance", "1", expect=1)
    demo.note("负责人不能审批自己的合同：", "The owner cannot approve their own contract:")
    run("review", "approve", "1", "--department", "sales", expect=1)
    demo.note(
        "按谈判纪要改正后重新提交，四个部门会签：", "Corrected to the minutes, then the four departments sign off:"
    )
    run("doc", "fill", "1", "contract-review", "--file", demo.doc("contract-review"))
    run("doc", "diff", "1", "contract-review")
    demo.note("只有该部门的审批人能会签：", "Only a reviewer of the department signs for it:")
    run("review", "approve", "1", "--department", "finance", actor="孙律", expect=1)
    for department, reviewer in REVIEWERS:  # two of them type the department as its label (issue 16)
        department = {"sales": "销售部", "legal": "法务部"}.get(department, department)
        run("review", "approve", "1", "--department", department, "--comment", "同意", actor=reviewer)
    run("compliance", "1", "--pdf", "pdf/合同审核.pdf", "--force")
    run("opp", "advance", "1")

    demo.title("第六步：合同签订及关系维护", "Step 6: contract and maintenance")
    run("doc", "fill", "1", "service-plan", "--file", demo.doc("service-plan"))
    run("compliance", "1")
    demo.note(
        "签约后合同条款不能再改：新的谈判纪要被拒绝，须走合同变更",
        "Once signed, the terms do not change: new negotiation minutes are refused, an amendment is the way",
    )
    more = {"quantity": "34"}
    minutes = demo.doc("negotiation-minutes", "谈判纪要-34台.yaml", more)
    run("doc", "fill", "1", "negotiation-minutes", "--file", minutes, expect=1)
    run("opp", "amend", "1", "--reason", "客户追加 4 台压缩式垃圾车")
    run("doc", "fill", "1", "negotiation-minutes", "--file", minutes)
    amended = demo.doc("contract-review", "合同审核-34台.yaml", {**more, "quality_deposit": "615400"})
    run("doc", "fill", "1", "contract-review", "--file", amended)
    run("opp", "list")
    demo.note(
        "变更须重新会签，第四个部门同意后生效：",
        "The amendment needs the four sign-offs again; the last one puts it in force:",
    )
    for department, reviewer in (("sales", "赵敏"), ("finance", "钱进"), ("legal", "孙律"), ("production", "李工")):
        run("review", "approve", "1", "--department", department, "--comment", "同意变更", actor=reviewer)
    run("compliance", "1")
    run("opp", "show", "1")
    run("opp", "history", "1")

    demo.title("文档生成 PDF：客户版与内部版", "Every document as a PDF: customer and internal editions")
    run("doctor")
    demo.note(
        "交给客户的产品推介书不含竞争分析；内部版全部打印，每页标明内部资料：",
        "The proposal the customer gets leaves out the competition analysis; the internal edition prints all of it:",
    )
    run("doc", "render", "1", "product-proposal", "-o", "pdf/产品推介书-客户版.pdf", "--force")
    run("doc", "render", "1", "product-proposal", "--internal", "-o", "pdf/产品推介书-内部版.pdf", "--force")
    run("attach", "list", "1")
    run("doc", "render-all", "1", "-o", "pdf", "--zip", "pdf/商机1-全部文档.zip", "--force")

    demo.title("另外两个商机：一个丢单，一个在跟进", "Two more deals: one lost, one in progress")
    run(
        "contact",
        "add",
        "3",
        "刘强",
        "--title",
        "总经理",
        "--role",
        "最终拍板人",
        "--influence",
        "high",
        "--stance",
        "neutral",
    )
    run("opp", "new", "3", "8 台自卸车", "--owner", "李娜", "--quantity", "8")
    run("opp", "advance", "2")
    run("opp", "lose", "2", "--reason", "竞争对手", "--note", "竞品报价低 3%，且承诺 30 天交车")
    run(
        "contact",
        "add",
        "2",
        "马建军",
        "--title",
        "采购部长",
        "--role",
        "采购经理",
        "--influence",
        "medium",
        "--stance",
        "supporter",
    )
    run("opp", "new", "2", "12 台载货车", "--owner", OWNER, "--quantity", "12")
    run("opp", "advance", "3")
    run("opp", "hold", "3", "--reason", "客户资金计划推迟到明年一季度")

    demo.title("客情关系与成交热度（按检查表勾选）", "Relationship level and deal heat (ticked checklists)")
    run("opp", "rate", "3", "-r", "1.1,1.2,1.3,2.1,2.2,2.3", "-H", "30.1,50.1,50.2")

    demo.title("售后回访与跟进计划", "Return visits and follow-ups")
    run("schedule", "--due-before", "2027-03-31")

    demo.title("早上的待办：项目经理与财务审核人", "The morning agenda: the project manager and a finance reviewer")
    demo.note(
        "第四个商机走到商务运作：合同审核表已提交，销售部同意、法务部驳回，财务部与生产部尚未审批",
        "A fourth deal reaches the negotiation: its contract review is in, sales approved, legal rejected, "
        "finance and production have not decided",
    )
    run("opp", "new", "2", "6 台冷藏车", "--owner", OWNER, "--quantity", "6")
    run("opp", "advance", "4")
    for kind, trigger in (
        ("phone-invite-feedback", True),
        ("visit-feedback", True),
        ("product-proposal", True),
        ("exchange-minutes", True),
        ("evaluation-scorecard", False),
        ("negotiation-minutes", False),
    ):
        run("doc", "fill", "4", kind, "--file", demo.doc(kind))
        if trigger:
            run("opp", "advance", "4")
    review = demo.doc("contract-review", "contract-review-4.yaml", {"contract_no": "BTXD-2026-031"})
    run("doc", "fill", "4", "contract-review", "--file", review)
    run("review", "approve", "4", "--department", "sales", "--comment", "同意", actor="赵敏")
    run("review", "reject", "4", "--department", "legal", "--comment", "违约赔偿比例需降至 10% 以下", actor="孙律")
    demo.note(
        "项目经理的待办（90 天内与逾期），并写成手机/Outlook 可导入的日历文件",
        "The project manager's agenda (the next 90 days and anything overdue), also as a calendar file",
    )
    run("agenda", "--days", "90", "--ics", "王磊的待办.ics", "--force")
    run("--actor", "钱进", "agenda", "--department", "finance")
    run("review", "pending", "--xlsx", "待审批合同.xlsx", "--force")
    run("schedule", "--due-before", "2027-12-31", "--ics", "回访计划.ics", "--xlsx", "回访计划.xlsx", "--force")

    _fleet(demo, "5")

    demo.title("商机一览与销售漏斗", "The pipeline")
    run("opp", "list", "--xlsx", "商机.xlsx", "--force")
    run("report", "pipeline", "--pdf", "pdf/销售漏斗.pdf", "--xlsx", "销售漏斗.xlsx", "--force")

    demo.title("数据可靠：审计、备份、导出", "Nothing lost, nothing forged: audit, backup, export")
    run("audit", "verify")
    run("backup", "kam-backup.sqlite3", "--force")
    run("export", "kam-export.json", "--force")
