"""Fuzzing: arbitrary arguments to every command and arbitrary documents of every kind.

Whatever comes in, kam answers with exit 0, 1 (refused / invalid input, one
clear line) or 2 (usage), never a traceback, an "internal error" or an escape
sequence on the terminal. A document is either stored or refused with its
problems; nothing half-stored. The commands are read from the CLI itself, so
a command added later is fuzzed too. KAM_SOAK_SCALE=large tries many more cases.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from forms_fixtures import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import forms
from commands._values import ChoiceType, DateType
from workflow.errors import InvalidInput
from workflow.operations import documents
from workflow.records.db import Database
from workflow.records.models import Document, Event

LARGE = os.environ.get("KAM_SOAK_SCALE") == "large"
CLI_EXAMPLES = 400 if LARGE else 25  # per command
DOC_EXAMPLES = 1000 if LARGE else 60  # per kind
SKIP = {("demo",)}  # builds a whole demo folder: covered by its own tests
FUZZ = settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], database=None)
TRIED: dict[str, int] = {}

pytestmark = [pytest.mark.slow] if LARGE else []


def commands() -> list[tuple[tuple[str, ...], click.Command]]:
    from cli import cli

    found = []

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(cmd, click.Group):  # kam loads its command modules lazily: ask the group, not .commands
            ctx = click.Context(cmd)
            for name in sorted(cmd.list_commands(ctx)):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, (*path, name))
        elif path not in SKIP:
            found.append((path, cmd))

    walk(cli, ())
    return found


NASTY = st.sampled_from(["", " ", "\x1b[31m红\x1b[0m", "\x1b]0;owned\x07", "a\x00b", "bad\udcff", "\u202etxt.exe", "长" * 300, "-x", "--json", "'; DROP TABLE events; --", "{{ 7*7 }}", "<b>x</b>", "\ud7ff", "１２"])
TEXT = st.one_of(st.text(max_size=40), NASTY)
STDIN_TEXT = st.one_of(st.text(max_size=40), NASTY.filter(lambda v: "\udcff" not in v))  # stdin is bytes: the runner encodes it
INTEGER = st.one_of(st.integers(-3, 6).map(str), st.integers().map(str), st.sampled_from(["10" * 20, "-1", "0", "1.5", "x", "", "1e3"]))
DATES = st.one_of(st.dates().map(str), st.sampled_from(["2026-02-30", "20261120", "2026-11-20T14:00", "tomorrow", "", "9999-12-31"]))


def value_for(param: click.Parameter, tmp_path: Path) -> st.SearchStrategy[str]:
    kind = param.type
    if isinstance(kind, click.Choice):
        return st.one_of(st.sampled_from(list(kind.choices)), TEXT)
    if isinstance(kind, click.types.IntParamType):
        return INTEGER
    if isinstance(kind, ChoiceType):  # an enum typed as its key or either label (issue 16)
        labels = [text for v in kind.choice.values for text in (str(v), *kind.choice.labels[v])]
        return st.one_of(st.sampled_from(labels), TEXT)
    if isinstance(kind, click.DateTime | DateType):
        return st.one_of(DATES, st.sampled_from(["2027/3/31", "2027.3.31", "2027年3月31日", "2027年2月30日", "31/03/2027"]))
    if param.name in ("path", "file", "out_dir", "pdf", "output"):
        return st.sampled_from(["doc.yaml", "doc.json", "bad.bin", "missing.yaml", "out.sqlite3", "sub/out.pdf", "-"]).map(lambda name: str(tmp_path / name))
    if param.name == "kind":
        return st.one_of(st.sampled_from(forms.KINDS), TEXT)
    return TEXT


@st.composite
def invocation(draw: st.DrawFn, path: tuple[str, ...], command: click.Command, tmp_path: Path) -> list[str]:
    args: list[str] = []
    if draw(st.booleans()):
        args.append("--json")
    args += list(path)
    for param in command.params:
        if isinstance(param, click.Option) and param.hidden:
            continue
        if isinstance(param, click.Argument):
            if draw(st.integers(0, 20)) > 0:  # now and then a missing argument: a usage error
                args.append(draw(value_for(param, tmp_path)))
        elif param.is_flag:  # type: ignore[attr-defined]
            if draw(st.booleans()):
                args.append(param.opts[0])
        elif param.required or draw(st.booleans()):
            args += [param.opts[0], draw(value_for(param, tmp_path))]
    if draw(st.integers(0, 15)) == 0:
        args.append(draw(TEXT))  # a stray extra argument
    return args


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """The files a fuzzed --file may name: a valid document, a JSON one, binary junk."""
    (tmp_path / "doc.yaml").write_text(yaml.safe_dump(load("visit-feedback"), allow_unicode=True), encoding="utf-8")
    (tmp_path / "doc.json").write_text(json.dumps(load("phone-invite-feedback"), ensure_ascii=False, default=str), encoding="utf-8")
    (tmp_path / "bad.bin").write_bytes(bytes(range(256)) * 4)
    return tmp_path


def assert_clean(result: Any, args: list[str]) -> None:
    assert result.exit_code in (0, 1, 2), (args, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text and "internal error" not in text, (args, text)
        assert "\x1b" not in text and "\x07" not in text, (args, text)


@pytest.mark.parametrize("path, command", commands(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_survives_arbitrary_arguments(kam: Any, deal: int, files: Path, path: tuple[str, ...], command: click.Command, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(files)  # whatever a fuzzed command writes lands in the test's folder

    @FUZZ
    @given(args=invocation(path, command, files), answers=st.lists(STDIN_TEXT, max_size=5))
    def run(args: list[str], answers: list[str]) -> None:
        result = kam(*args, input="\n".join(answers) + "\n")
        assert_clean(result, args)
        TRIED[" ".join(path)] = TRIED.get(" ".join(path), 0) + 1

    run()


# -- documents ------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30), NASTY,
    DATES, st.sampled_from(["high", "supporter", "decider", "approve", "A", "2026-11-20T14:00"]),
)
JSONISH = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=20)


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))] or [path]
    return [path]


@st.composite
def document(draw: st.DrawFn, kind: str) -> Any:
    """Mostly the realistic document with a few values replaced (deep coverage); sometimes anything at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(JSONISH)
    data = load(kind)
    for _ in range(draw(st.integers(0, 3))):
        spots = leaves(data)
        spot = draw(st.sampled_from(spots))
        if not spot:
            break
        target = data
        for step in spot[:-1]:
            target = target[step]
        if draw(st.integers(0, 5)) == 0 and isinstance(target, dict):
            del target[spot[-1]]
        else:
            target[spot[-1]] = draw(like(target[spot[-1]]) if draw(st.booleans()) else JSONISH)
    return data


def like(value: Any) -> st.SearchStrategy[Any]:
    """A value of the same type: passes the type check, tests the rules and the limits behind it."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-5, 10**6)
    if isinstance(value, float):
        return st.floats(-1e6, 1e6)
    if isinstance(value, str):
        return st.one_of(st.text(max_size=40), NASTY)
    return JSONISH


@pytest.mark.parametrize("kind", forms.KINDS)
def test_every_kind_stores_or_refuses_arbitrary_documents(db: Database, deal: int, kind: str) -> None:
    outcomes = {"stored": 0, "refused": 0}

    @settings(FUZZ, max_examples=DOC_EXAMPLES)
    @given(data=document(kind))
    def run(data: Any) -> None:
        with db.read() as s:
            before = s.scalar(select(func.count()).select_from(Event))
        try:
            with db.write() as s:
                doc = documents.fill_document(s, deal, kind, data, actor="fuzz")
                doc_id = doc.id
        except InvalidInput as exc:
            assert exc.details and all(d.en for d in exc.details)
            outcomes["refused"] += 1
            with db.read() as s:  # nothing half-stored
                assert s.scalar(select(func.count()).select_from(Event)) == before
            return
        outcomes["stored"] += 1
        with db.read() as s:
            stored = s.get(Document, doc_id)
            assert stored is not None
            # what was stored validates again to the same document (the guard will read it back)
            assert forms.dump(forms.validate(kind, stored.data)) == stored.data

    run()
    TRIED[f"doc {kind}"] = sum(outcomes.values())
    assert outcomes["stored"] > 0 and outcomes["refused"] > 0, outcomes


@settings(FUZZ, max_examples=DOC_EXAMPLES)
@given(content=st.one_of(st.binary(max_size=300), JSONISH.map(lambda v: json.dumps(v, default=str).encode()), st.text(max_size=200).map(str.encode)))
def test_any_bytes_in_a_document_file_are_read_or_refused(content: bytes) -> None:
    import tempfile

    from forms.reading import read_document

    with tempfile.NamedTemporaryFile(suffix=".yaml") as fh:
        fh.write(content)
        fh.flush()
        try:
            read_document(fh.name)
        except InvalidInput as exc:
            assert exc.message.en.startswith(f"file {fh.name}")
    TRIED["files"] = TRIED.get("files", 0) + 1


# -- imports and process files ----------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` (an export, a process file) with a few values replaced, deleted or added; now and then anything."""
    import copy

    if draw(st.integers(0, 9)) == 0:
        return draw(JSONISH)
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        spot = draw(st.sampled_from(leaves(data)))
        if not spot:
            break
        target = data
        for step in spot[:-1]:
            target = target[step]
        action = draw(st.integers(0, 5))
        if action == 0 and isinstance(target, dict):
            del target[spot[-1]]
        elif action == 1 and isinstance(target, list):
            target.append(copy.deepcopy(target[spot[-1]]))  # a duplicate row, a duplicate stage
        else:
            target[spot[-1]] = draw(like(target[spot[-1]]) if draw(st.booleans()) else JSONISH)
    return data


def test_any_change_to_an_export_is_imported_whole_or_refused(kam: Any, deal: int, tmp_path: Path) -> None:
    import shutil

    assert kam("doc", "fill", deal, "phone-invite-feedback", "--file", _written(tmp_path / "doc.json", load("phone-invite-feedback"))).exit_code == 0
    assert kam("export", tmp_path / "export.json").exit_code == 0
    base = json.loads((tmp_path / "export.json").read_text(encoding="utf-8"))
    empty = tmp_path / "empty.sqlite3"
    assert kam("--db", f"sqlite:///{empty}", "init").exit_code == 0
    outcomes = {"imported": 0, "refused": 0}

    @settings(FUZZ, max_examples=DOC_EXAMPLES)
    @given(data=mutated(base))
    def run(data: Any) -> None:
        target = tmp_path / f"target-{sum(outcomes.values())}.sqlite3"  # a new name: no earlier -wal file beside it
        shutil.copyfile(empty, target)
        url = f"sqlite:///{target}"
        result = kam("--db", url, "import", _written(tmp_path / "changed.json", data))
        assert_clean(result, ["import", "changed.json"])
        if result.exit_code == 0:
            outcomes["imported"] += 1
        else:
            outcomes["refused"] += 1
            listed = kam("--db", url, "--json", "opp", "list")
            assert (listed.exit_code, json.loads(listed.stdout)) == (0, []), "a refused import wrote something"

    run()
    TRIED["import"] = sum(outcomes.values())
    assert outcomes["refused"] > 0, outcomes


def test_any_process_file_is_used_or_refused(kam: Any, deal: int, tmp_path: Path) -> None:
    from workflow.rules.process import BUILTIN

    base = yaml.safe_load(Path(BUILTIN).read_text(encoding="utf-8"))
    outcomes = {"used": 0, "refused": 0}

    @settings(FUZZ, max_examples=DOC_EXAMPLES)
    @given(data=mutated(base), command=st.sampled_from([("workflow", "show"), ("opp", "check", "1"), ("opp", "show", "1"), ("report", "pipeline")]))
    def run(data: Any, command: tuple[str, ...]) -> None:
        path = tmp_path / "process.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = kam("--process", path, *command)
        assert_clean(result, ["--process", "process.yaml", *command])
        outcomes["used" if result.exit_code == 0 else "refused"] += 1

    run()
    TRIED["process"] = sum(outcomes.values())
    assert outcomes["refused"] > 0, outcomes


def _written(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, default=str), encoding="utf-8")  # ASCII: a lone surrogate as its \\u escape
    return path


def test_zz_report_cases_tried() -> None:
    """Prints how many cases the fuzz tests above tried (shown with -s; run with the module)."""
    if TRIED:
        print(f"\nfuzz cases tried: {sum(TRIED.values())} ({', '.join(f'{k}: {v}' for k, v in sorted(TRIED.items()))})")
