"""Whatever a YAML or JSON file holds, validation answers with a document or FormInvalid, nothing else."""

from __future__ import annotations

import copy
import json

from forms_fixtures import load
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forms
from forms.introspect import describe

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["2026-11-20", "2026-11-20T14:00", "9999-12-31", "0001-01-01", "high", "full", "true", "", "-1", "1e400"])
    | st.dates().map(str)
    | st.datetimes().map(lambda d: d.isoformat())
)


def _keys(specs):
    for spec in specs:
        yield spec.key
        yield from _keys(spec.children)


ALL_KEYS = sorted({key for kind in forms.KINDS for key in _keys(describe(kind, computed=True))})
KEYS = st.sampled_from(ALL_KEYS) | st.text(max_size=8)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS | st.integers(), children, max_size=6),
    max_leaves=15,
)


def check(kind: str, data) -> None:
    """Validation either fails cleanly or gives a document that dumps, serialises and round-trips."""
    try:
        document = forms.validate(kind, data)
    except forms.FormInvalid as exc:
        assert exc.errors
        for error in exc.errors:
            assert isinstance(error.path, str) and error.message_zh and error.message_en
            error.render("zh"), error.render("en")
        return
    json.dumps(document.model_dump(mode="json"), ensure_ascii=False, allow_nan=False)
    stored = forms.dump(document)
    json.dumps(stored, allow_nan=False)
    assert forms.validate(kind, stored) == document


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(kind=st.sampled_from(forms.KINDS), data=JSON)
def test_arbitrary_values(kind, data):
    check(kind, data)


@FUZZ
@given(kind=st.sampled_from(forms.KINDS), data=st.dictionaries(KEYS, JSON, max_size=6))
def test_arbitrary_mappings(kind, data):
    check(kind, data)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


@st.composite
def mutated_fixture(draw):
    kind = draw(st.sampled_from(forms.KINDS))
    data = copy.deepcopy(load(kind))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = draw(JSON)
        else:
            parent.append(draw(JSON))
    return kind, data


@FUZZ
@given(case=mutated_fixture())
def test_mutated_fixtures(case):
    kind, data = case
    check(kind, data)
