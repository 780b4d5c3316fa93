"""Bad and oversized input: refused with a clear limit message, never crashed on; user text never reaches a terminal raw."""

from __future__ import annotations

import json
from typing import Any

import pytest
from forms_fixtures import edit, load

import forms
from workflow.operations import documents
from workflow.records.db import Database
from workflow.rules.process import Process

ESC = "\x1b[31m"


def first_path(value: Any, kind: type, path: str = "") -> str | None:
    """The key path of the first value of type `kind` in a document (depth first)."""
    if isinstance(value, kind) and path:
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found = first_path(item, kind, f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key)
        if found:
            return found
    return None


@pytest.mark.parametrize("kind", forms.KINDS)
def test_a_field_over_20000_characters_is_refused_in_every_kind(kind: str) -> None:
    data = load(kind)
    key = first_path(data, str)
    data = edit(data, key, "长" * 20_001)
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate(kind, data)
    assert [(e.path, e.message_en) for e in caught.value.errors] == [(key, "too long: 20,001 characters, the limit is 20,000")]
    assert caught.value.errors[0].message_zh == "过长：20,001 字，上限 20,000 字"


@pytest.mark.parametrize("kind", forms.KINDS)
def test_a_list_over_200_items_is_refused_in_every_kind(kind: str) -> None:
    data = load(kind)
    key = first_path(data, list) or "attachments"  # a kind without lists: the limit is checked before the schema
    data = edit(data, key, ["x"] * 10_000)
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate(kind, data)
    assert [(e.path, e.message_en) for e in caught.value.errors] == [(key, "too many items: 10,000, the limit is 200")]


@pytest.mark.parametrize("kind", forms.KINDS)
@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\x7f"])
def test_control_characters_in_document_text_are_refused(kind: str, char: str) -> None:
    data = load(kind)
    key = first_path(data, str)
    data = edit(data, key, f"ok{char}[31m")
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate(kind, data)
    assert [(e.path, e.message_en) for e in caught.value.errors] == [(key, f"contains the control character U+{ord(char):04X} (character 3): remove it")]


def test_an_unpaired_surrogate_from_a_json_escape_is_refused(kam: Any, deal: int, tmp_path: Any) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"visit_date": "2026-09-08", "handler": "ab\\udcff"}', encoding="utf-8")
    result = kam("doc", "fill", deal, "visit-feedback", "--file", path)
    assert result.exit_code == 1
    assert "  - handler (Handler): contains the unpaired surrogate U+DCFF (character 3): remove it" in result.stderr.splitlines()


def test_tabs_and_line_breaks_are_ordinary_text() -> None:
    data = load("visit-feedback")
    data["advantages_presented"] = "第一行\r\n第二行\t说明"
    assert forms.validate("visit-feedback", data).advantages_presented == "第一行\r\n第二行\t说明"


def test_limits_name_every_offending_path_nested_in_lists() -> None:
    data = load("visit-feedback")
    data["customer_attendees"][1]["title"] = "x" * 20_001
    data["decision_chain"][0]["role"] = f"拍板{ESC}"
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate("visit-feedback", data)
    assert [e.path for e in caught.value.errors] == ["customer_attendees[1].title", "decision_chain[0].role"]


@pytest.mark.parametrize("kind", forms.KINDS)
def test_a_document_over_20000_characters_in_all_is_refused_naming_the_longest_field(kind: str) -> None:
    data = load(kind)
    strings = [p for p in _paths(data) if isinstance(_at(data, p), str) and not str(p[-1]).endswith(("date", "time"))]
    for path in strings:  # every text a little longer, none over the field limit, together over the document's
        _set(data, path, _at(data, path) + "长" * (21_000 // len(strings) + 1))
    _set(data, strings[0], _at(data, strings[0]) + "长" * 500)  # the longest
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate(kind, data)
    total = sum(len(_at(data, p)) for p in _paths(data) if isinstance(_at(data, p), str))
    (error,) = caught.value.errors
    longest = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in strings[0]).lstrip(".")
    size = len(_at(data, strings[0]))
    assert error.path == "" and error.message_en == (
        f"too much text: {total:,} characters in all, the limit is 20,000 (the longest is {longest}, {size:,}): "
        "shorten it; long material can go in an attachment (kam attach add)"
    )
    assert error.message_zh.startswith(f"文字过多：全文共 {total:,} 字，上限 20,000 字（最长的是 {longest}，{size:,} 字）")


def test_lists_over_200_entries_together_are_refused_naming_the_longest() -> None:
    data = load("visit-feedback")
    data["our_visitors"] = [f"王磊{i}" for i in range(120)]
    data["materials_delivered"] = [f"资料{i}" for i in range(90)]
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate("visit-feedback", data)
    total = 120 + 90 + sum(len(v) for k, v in data.items() if isinstance(v, list) and k not in ("our_visitors", "materials_delivered"))
    total += sum(len(v) for item in data["decision_chain"] for v in item.values() if isinstance(v, list))
    assert [(e.path, e.message_en) for e in caught.value.errors] == [
        ("", f"too many items: {total:,} in all lists together, the limit is 200 (the most are in our_visitors, 120): shorten the lists")
    ]


def test_a_document_at_the_limits_is_accepted() -> None:
    data = load("visit-feedback")
    used = sum(len(v) for v in _strings(data))
    data["advantages_presented"] += "长" * (forms.MAX_DOCUMENT_CHARS - used)
    assert sum(len(v) for v in _strings(data)) == forms.MAX_DOCUMENT_CHARS
    assert forms.validate("visit-feedback", data).advantages_presented == data["advantages_presented"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _paths(item, (*prefix, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _paths(item, (*prefix, i))]
    return [prefix]


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    _at(value, path[:-1])[path[-1]] = new


def _strings(value: Any) -> list[str]:
    return [v for p in _paths(value) if isinstance(v := _at(value, p), str)]


def test_absurd_nesting_is_refused_without_recursion() -> None:
    deep: Any = "x"
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(forms.FormInvalid) as caught:
        forms.validate("visit-feedback", {"visit_date": "2026-09-08", "materials_delivered": deep})
    assert caught.value.errors[0].render("en").endswith("nested deeper than 20 levels")


# -- through the command line --------------------------------------------------------------


def test_a_file_over_5_mb_is_refused(kam: Any, deal: int, tmp_path: Any) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("advantages_presented: " + "x" * 5_000_001, encoding="utf-8")
    result = kam("doc", "fill", deal, "visit-feedback", "--file", path)
    assert result.exit_code == 1
    assert result.stderr == f"Error: file {path} is larger than the 5 MB limit: shorten it and retry\n"


def test_a_4_mb_field_is_refused_and_nothing_is_stored(kam: Any, deal: int, tmp_path: Any) -> None:
    data = load("visit-feedback")
    data["advantages_presented"] = "x" * 4_000_000
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    result = kam("doc", "fill", deal, "visit-feedback", "--file", path)
    assert result.exit_code == 1
    # the reader stops a text this long before the schema sees it (the schema's own limit is 20,000)
    assert result.stderr == f"Error: file {path} at advantages_presented: a text of 4,000,000 characters, the limit is 1,000,000\n"
    assert kam.json("doc", "list", deal) == []


def test_10000_list_items_in_a_file_are_refused(kam: Any, deal: int, tmp_path: Any) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("visit_date: 2026-09-08\nour_visitors:\n" + "  - 王磊\n" * 10_000, encoding="utf-8")
    result = kam("doc", "fill", deal, "visit-feedback", "--file", path)
    assert result.exit_code == 1
    assert "  - our_visitors (Our visitors): too many items: 10,000, the limit is 200" in result.stderr.splitlines()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"visit_date: 2026-09-08\nhandler: \xff\xfe\n", "Error: file {path} is not UTF-8 text (line 2, byte 33): save it as UTF-8: in WPS or Notepad (记事本): Save As → Encoding: UTF-8; in Excel: Save As → CSV UTF-8 (Comma delimited)"),
        (b"visit_date: 2026-09-08\nhandler: a\x1b[31mb\n", "Error: file {path} line 2 column 11: contains the control character U+001B: remove it"),
        (b"visit_date: [2026\n", "Error: file {path} line 2 column 1: invalid YAML: a '[' is not closed, or a ',' is missing between items (it opens on line 1)"),
        (b"- just\n- a list\n", "Error: the Visit feedback report has 1 problem(s); nothing was stored:"),
    ],
)
def test_broken_files_are_reported_not_crashed_on(kam: Any, deal: int, tmp_path: Any, content: bytes, message: str) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(content)
    result = kam("doc", "fill", deal, "visit-feedback", "--file", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == message.format(path=path)


def test_escaped_control_characters_in_json_are_refused(kam: Any, deal: int, tmp_path: Any) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"visit_date": "2026-09-08", "handler": "a\\u001b]0;owned\\u0007"}', encoding="utf-8")
    result = kam("doc", "fill", deal, "visit-feedback", "--file", path)
    assert result.exit_code == 1
    assert "  - handler (Handler): contains the control character U+001B (character 2): remove it" in result.stderr.splitlines()


@pytest.mark.parametrize(
    "args, message",
    [
        (("account", "add", "长" * 5_000_000, "--type", "enterprise", "--class", "A", "--industry", "物流", "--fleet-size", "1"), "name (名称) is too long (at most 200 characters)"),
        (("opp", "lose", "{deal}", "--reason", "price", "--note", "x" * 5_000_000), "note is too long (at most 10000 characters)"),
        (("opp", "hold", "{deal}", "--reason", "x" * 10_001), "reason (原因) is too long (at most 10000 characters)"),
        (("contact", "add", "1", "x" * 101), "name (姓名) is too long (at most 100 characters)"),
    ],
)
def test_oversized_arguments_are_refused_with_the_limit(kam: Any, deal: int, args: tuple[str, ...], message: str) -> None:
    result = kam(*(a.format(deal=deal) if a == "{deal}" else a for a in args))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"


@pytest.mark.parametrize(
    "args",
    [("opp", "new", "1", "bad\udcff"), ("--actor", "\udcff", "opp", "hold", "{deal}", "--reason", "x"), ("opp", "hold", "{deal}", "--reason", "a\x00b"), ("account", "show", "99999999999")],
)
def test_arguments_the_database_cannot_hold_are_usage_errors(kam: Any, deal: int, args: tuple[str, ...]) -> None:
    """Invalid UTF-8 in argv (a lone surrogate in Python), a NUL byte or a number past the INTEGER range."""
    result = kam(*(str(deal) if a == "{deal}" else a for a in args))
    assert result.exit_code == 2, result.output
    assert "Error: Invalid value for" in result.stderr
    assert "is not valid UTF-8 text (or contains a NUL byte): retype it" in result.stderr or "is out of range (at most 2147483647)" in result.stderr
    assert kam.json("opp", "history", deal)[-1]["action"] == "create"


# -- terminal safety -------------------------------------------------------------------------


def test_no_escape_sequence_reaches_the_terminal(kam: Any, db: Database, process: Process, deal: int) -> None:
    """User text with escape sequences is refused as typed (issue 12: one rule for typed text), and a row that holds
    them anyway (written before the rule, or outside kam) is printed without them by every command that shows it."""
    from sqlalchemy import text

    evil = f"{ESC}红\x1b]0;owned\x07\x1b[2J"
    typed = [
        kam("account", "edit", "1", "--region", evil, "--address", evil, "--industry", evil),
        kam("contact", "add", "1", "李阳", "--role", evil, "--title", evil),
        kam("opp", "new", "1", f"标题{evil}", "--owner", f"王{ESC}"),  # a name holds no control character (issue 13)
        kam("opp", "new", "1", f"标题{evil}", "--owner", "王磊"),
        kam("opp", "hold", deal, "--reason", evil),
    ]
    for refused in typed:
        assert refused.exit_code == 1 and "<U+001B>" in refused.stderr, refused.output
    assert kam("opp", "new", "1", "标题", "--owner", "王磊").exit_code == 0
    with db.write() as session:  # rows that hold them anyway
        session.execute(text("UPDATE accounts SET region = :e, address = :e, industry = :e"), {"e": evil})
        session.execute(text("UPDATE opportunities SET title = :t, hold_reason = :e, on_hold = :h WHERE id = :id"), {"t": f"标题{evil}", "e": evil, "h": True, "id": deal})
        session.execute(text("UPDATE opportunities SET lost_note = :e WHERE id = 2"), {"e": evil})
    outputs = [
        *typed, kam("account", "list"), kam("account", "show", "1"), kam("opp", "list"), kam("opp", "show", deal), kam("opp", "show", "2"),
        kam("opp", "history", deal), kam("opp", "history", "2"), kam("opp", "check", deal), kam("opp", "advance", deal),
    ]
    for result in outputs:
        assert result.exit_code in (0, 1)
        for out in (result.stdout, result.stderr):
            assert "\x1b" not in out and "\x07" not in out, (result.output)
    assert "红" in kam("account", "show", "1").stdout
    # --json keeps the stored text exactly (JSON escapes it), for tools that want it
    assert kam.json("opp", "show", deal)["hold_reason"] == evil


# -- PDF safety ------------------------------------------------------------------------------

HOSTILE = '<b>粗体</b><img src="file:///etc/passwd"><script>alert(1)</script><link rel=stylesheet href="http://example.invalid/x.css">'


def test_user_html_reaches_a_pdf_as_text_never_as_markup(kam: Any, db: Database, deal: int, tmp_path: Any) -> None:
    import pypdf

    data = load("visit-feedback")
    data["advantages_presented"] = HOSTILE
    data["purchase_process"] = "{{ 7*7 }} {% raw %}"
    with db.write() as s:

        documents.fill_document(s, deal, "visit-feedback", data, actor="王磊")
    out = tmp_path / "visit.pdf"
    result = kam("doc", "render", deal, "visit-feedback", "-o", out)
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    flat = "".join(text.split())
    # the markup is printed literally: escaped by the template, not laid out, not fetched
    assert "<b>粗体</b>" in flat and "<script>alert(1)</script>" in flat and 'src="file:///etc/passwd"' in flat
    assert "{{7*7}}" in flat  # user text is data, never template code


def test_a_pdf_is_never_written_over_an_existing_file_without_force(kam: Any, db: Database, deal: int, tmp_path: Any) -> None:
    from helpers import fill

    fill(db, deal, "visit-feedback")
    out = tmp_path / "visit.pdf"
    out.write_bytes(b"mine")
    result = kam("doc", "render", deal, "visit-feedback", "-o", out)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {out} exists: use --force to overwrite it, or choose another name\n"
    assert out.read_bytes() == b"mine"
    assert kam("doc", "render", deal, "visit-feedback", "-o", out, "--force").exit_code == 0
    assert out.read_bytes().startswith(b"%PDF")


def _past_the_page_limit() -> dict[str, Any]:
    """A scorecard whose one narrow table cell holds 19,000 characters: within the document limits, past 30 pages."""
    from long_documents import token

    room = forms.MAX_DOCUMENT_CHARS - sum(len(v) for v in _strings(token("evaluation-scorecard", 0)))
    return token("evaluation-scorecard", room)


def test_a_document_past_the_page_limit_is_a_refusal_in_render_and_render_all(kam: Any, db: Database, deal: int, tmp_path: Any) -> None:
    """Stored without the fill command's trial layout (as an import or an older kam would): one refusal.

    render-all renders in a process pool; the refusal raised in a worker reaches the command whole.
    """
    from helpers import fill

    from reports.pdf import MAX_PAGES

    fill(db, deal, "phone-invite-feedback", load("phone-invite-feedback"))
    fill(db, deal, "evaluation-scorecard", _past_the_page_limit())
    expected = (
        f"Error: the Project evaluation scorecard v1 of opportunity {deal}: the layout passed the limit of {MAX_PAGES} "
        "pages and was stopped: shorten the long texts (above all in narrow table columns) or the lists; long material "
        "can go in an attachment (kam attach add)\n"
    )
    one = kam("doc", "render", deal, "evaluation-scorecard", "-o", tmp_path / "card.pdf")
    assert (one.exit_code, one.stderr) == (1, expected)
    assert not (tmp_path / "card.pdf").exists()
    every = kam("doc", "render-all", deal, "-o", tmp_path / "all")
    assert every.exit_code == 1 and every.stderr.endswith(expected) and "internal error" not in every.output
    assert not (tmp_path / "all").exists() or list((tmp_path / "all").iterdir()) == []  # nothing half written


def test_doc_fill_lays_a_large_document_out_first_and_refuses_it_past_the_page_limit(kam: Any, deal: int, tmp_path: Any) -> None:
    """What `kam doc fill` accepts always renders: a large document is laid out before it is stored."""
    from reports.pdf import FILL_MAX_PAGES

    path = tmp_path / "card.json"
    path.write_text(json.dumps(_past_the_page_limit(), ensure_ascii=False, default=str), encoding="utf-8")
    refused = kam("doc", "fill", deal, "evaluation-scorecard", "--file", path)
    assert refused.exit_code == 1, refused.output
    assert refused.stderr == (
        f"Error: the Project evaluation scorecard v1 of opportunity {deal}: the layout passed the limit of "
        f"{FILL_MAX_PAGES} pages and was stopped: shorten the long texts (above all in narrow table columns) or the "
        "lists; long material can go in an attachment (kam attach add); nothing was stored\n"
    )
    zh = kam("doc", "fill", deal, "evaluation-scorecard", "--file", path, lang="zh")
    assert zh.exit_code == 1 and f"排版超过 {FILL_MAX_PAGES} 页的上限" in zh.stderr and zh.stderr.endswith("；未保存\n")
    assert "evaluation-scorecard" not in kam("doc", "list", deal).stdout


def test_the_longest_realistic_documents_pass_the_trial_and_ordinary_ones_skip_it(
    kam: Any, deal: int, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from long_documents import long

    import reports
    from reports import batch

    tried: list[str] = []
    real = batch.trial_layout

    def counted(job: Any) -> None:
        tried.append(job.kind)
        real(job)

    monkeypatch.setattr(reports, "trial_layout", counted, raising=False)
    for kind, data in (("visit-feedback", long("visit-feedback")), ("phone-invite-feedback", load("phone-invite-feedback"))):
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
        filled = kam("doc", "fill", deal, kind, "--file", path)
        assert filled.exit_code == 0, filled.output
    assert tried == ["visit-feedback"]  # 9,000 characters and 92 entries: tried (and stored); the sample: not
