"""The interactive fill as a person meets it: the real `kam` in a pseudo-terminal (pexpect).

CliRunner's piped input cannot show what a terminal does: the echo of what is
typed, Ctrl-C arriving as a signal in the middle of a prompt, Ctrl-D as the end of
input. Each test here types into `kam doc fill` and reads the screen.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pexpect
import yaml
from conftest import Kam

KAM = str(Path(sys.executable).with_name("kam"))
TIMEOUT = 30  # a loaded machine; an expect that fails waits this long, one that passes returns at once


def setup_deal(kam: Kam) -> int:
    acc = kam.json(
        "account",
        "add",
        "包头鑫达物流有限公司",
        "--type",
        "enterprise",
        "--class",
        "A",
        "--industry",
        "物流",
        "--fleet-size",
        "120",
        "--region",
        "内蒙古包头",
    )
    kam.json("contact", "add", acc["id"], "张华", "--department", "车管科", "--title", "科长", "--phone", "13904720000")
    kam.json("contact", "add", acc["id"], "王淑芬", "--department", "财务科")
    return kam.json("opp", "new", acc["id"], "20 台牵引车", "--owner", "王磊", "--quantity", "20")["id"]


def spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "200", "LANG": "C.UTF-8"}
    child = pexpect.spawn(KAM, list(args), env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 200))
    child.delaybeforesend = 0.05
    return child


def answer(child: pexpect.spawn, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def ended(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_ctrl_c_keeps_a_draft_and_the_printed_command_goes_on(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    child = spawn("--db", kam.db_url, "--lang", "zh", "doc", "fill", str(opp), "phone-invite-feedback")
    answer(child, "通话日期 * (YYYY-MM-DD) [", "2026-11-20")
    answer(child, "邀约人 * [王磊]: ", "")
    child.expect_exact("  建议（输入编号选用）：1) 张华（科长，13904720000）  2) 王淑芬")
    answer(child, "姓名 *: ", "1")
    answer(child, "职务 [科长]: ", "<")  # back to the name: take 王淑芬 instead, then back again to 张华
    answer(child, "姓名 * [张华]: ", "2")
    answer(child, "职务: ", "<")
    answer(child, "姓名 * [王淑芬]: ", "1")
    answer(child, "职务 [科长]: ", "")
    answer(child, "电话 [13904720000]: ", "")
    answer(child, "约定拜访时间 * (YYYY-MM-DDTHH:MM): ", "2026-11-25T09:30")
    answer(child, "拜访地点 * [内蒙古包头]: ", "")
    child.expect_exact("  建议（输入编号选用）：1) 王磊")
    answer(child, "我方拜访人员 #1 *: ", "1")
    answer(child, "我方拜访人员 #2: ", "")
    child.expect_exact("  建议（输入编号选用）：1) 张华  2) 王淑芬")
    answer(child, "客户参加人员 #1: ", "")  # Enter on a new item ends the list, whatever is suggested
    child.expect_exact("拜访目的 *: ")
    child.sendintr()  # Ctrl-C
    child.expect_exact("已取消，未保存到数据库")
    child.expect(r"已填内容存为草稿：(\S+)\r\n")
    path = Path(child.match.group(1))
    child.expect(r"继续填写：(.+)\r\n")
    command = child.match.group(1)
    status, _ = ended(child)
    assert status == 1
    assert path.parent == tmp_path / "xdg" / "kam" / "drafts"
    assert command == f"kam --db {kam.db_url} doc fill {opp} phone-invite-feedback --file {path}"
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "call_date": "2026-11-20",
        "caller": "王磊",
        "contact": {"name": "张华", "title": "科长", "phone": "13904720000"},
        "visit_time": "2026-11-25T09:30:00",
        "visit_place": "内蒙古包头",
        "our_visitors": ["王磊"],
        "customer_attendees": [],
    }
    assert kam.json("doc", "list", opp) == []

    # the printed command, as printed: it goes on at the field it stopped in
    args = shlex.split(command)
    child = spawn(*args[1:3], "--lang", "zh", *args[3:])
    child.expect_exact("继续草稿：已有 7 项回答，从“客户参加人员”继续。")
    answer(child, "客户参加人员 #1: ", "2")
    answer(child, "客户参加人员 #2: ", "")
    answer(child, "拜访目的 *: ", "产品推介")
    answer(child, "客户意向 *: ", "高")
    answer(child, "备注: ", "")
    answer(child, "附件 #1: ", "")
    child.expect_exact("请检查（输入编号修改）：")
    child.expect_exact("  7) 客户参加人员 (customer_attendees): 王淑芬")
    answer(child, "保存？(y 保存 / n 取消 / 1-11 修改 / < 上一题) [y]: ", "8")  # edit the purpose
    answer(child, "拜访目的 * [产品推介]: ", "产品推介与试乘")
    child.expect_exact("  8) 拜访目的 (purpose): 产品推介与试乘")
    answer(child, "保存？(y 保存 / n 取消 / 1-11 修改 / < 上一题) [y]: ", "")
    child.expect_exact(f"已保存 phone-invite-feedback v1（商机 {opp}）")
    status, _ = ended(child)
    assert status == 0
    assert not path.exists()
    doc = kam.json("doc", "show", opp, "phone-invite-feedback")["data"]
    assert (doc["customer_attendees"], doc["purpose"], doc["interest"]) == (["王淑芬"], "产品推介与试乘", "high")


def test_ctrl_d_keeps_a_draft_in_english(kam: Kam) -> None:
    opp = setup_deal(kam)
    child = spawn("--db", kam.db_url, "--lang", "en", "doc", "fill", str(opp), "phone-invite-feedback")
    answer(child, "Call date * (YYYY-MM-DD) [", "2026-11-31")  # no such day: asked again
    answer(child, "\r\nCall date * (YYYY-MM-DD) [", "2026-11-20")
    child.expect_exact("Caller * [王磊]: ")
    child.sendeof()  # Ctrl-D
    child.expect_exact("Error: cancelled; nothing was stored in the database")
    child.expect(r"what you typed is kept in (\S+)\r\n")
    path = Path(child.match.group(1))
    child.expect(r"to go on: (.+)\r\n")
    assert child.match.group(1) == f"kam --db {kam.db_url} doc fill {opp} phone-invite-feedback --file {path}"
    status, _ = ended(child)
    assert status == 1
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# kam draft: Phone invitation feedback (phone-invite-feedback), opportunity {opp}"
    assert yaml.safe_load(text) == {"call_date": "2026-11-20"}


def test_back_at_the_first_question_and_ctrl_c_before_any_answer(kam: Kam, tmp_path: Path) -> None:
    opp = setup_deal(kam)
    child = spawn("--db", kam.db_url, "--lang", "zh", "doc", "fill", str(opp), "exchange-minutes")
    answer(child, "交流日期 * (YYYY-MM-DD) [", "<")
    child.expect_exact("<\r\n  已是第一题。")  # the terminal echoes what was typed
    child.expect_exact("交流日期 * (YYYY-MM-DD) [")
    child.sendintr()
    child.expect_exact("已取消，未保存任何内容")
    status, _ = ended(child)
    assert status == 1
    assert not (tmp_path / "xdg" / "kam" / "drafts").exists()
    assert kam.json("doc", "list", opp) == []
