"""records/RULES.md, the table of the four policies' rules, agrees with the policies' section
indexes and with the tests: every rule marked implemented or partial is covered by a test carrying
`@pytest.mark.rule("<id>")`, and every such marker names a rule of the table.

The markers are read from the tests' source (every `mark.rule(...)` call in a test's decorators,
in `pytest.param(..., marks=...)` inside them, or in a module's `pytestmark`): reading is cheaper
than collecting the whole suite, and sees the same calls."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.policy_sections import CODES, ROOT, indexes, section_key

TABLE = ROOT / "records" / "RULES.md"
TESTS = ROOT / "tests"
STATUSES = ("implemented", "partial", "missing", "wrong", "not applicable")
FOUND = {
    "tested": "implemented and tested",
    "untested": "implemented without a test",
    "partial": "partial",
    "missing": "missing",
    "wrong": "wrong",
    "n/a": "not applicable",
}
NEEDS_A_TEST = ("implemented", "partial")


@dataclass(frozen=True)
class Row:
    rule: str
    found: str
    status: str
    tests: tuple[str, ...]  # "file.py::test_name"
    pending: str  # "H2", or ""


def _rows(text: str) -> list[Row]:
    rows = []
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Rule |"))
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rule, _short, found, status, _why, _where, tests = cells
        names: list[str] = []
        pending = ""
        for part in (p.strip() for p in tests.split(";")):
            if part.startswith("pending:"):
                pending = part.removeprefix("pending:").strip()
            elif part:
                names += [n.strip() for n in part.split(",")]
        rows.append(Row(rule, found, status, tuple(names), pending))
    return rows


def _table() -> tuple[str, list[Row]]:
    text = TABLE.read_text(encoding="utf-8")
    return text, _rows(text)


def _renamed(text: str) -> dict[str, str]:
    return dict(re.findall(r"^- `([^`]+)` → `([^`]+)`$", text, flags=re.M))


def _marker_ids(node: ast.AST) -> list[str]:
    """The ids of every `<...>.mark.rule("id", ...)` call inside `node`."""
    ids = []
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "rule"
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "mark"
        ):
            for arg in call.args:
                assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), (
                    f"{ast.unparse(call)}: a rule id is a string literal"
                )
                ids.append(arg.value)
    return ids


def markers() -> dict[str, set[str]]:
    """test ("file.py::name", the file relative to tests/) -> the rule ids it carries."""
    found: dict[str, set[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(TESTS).as_posix()
        module_ids = [
            i
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
            for i in _marker_ids(node.value)
        ]
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                ids = [i for d in node.decorator_list for i in _marker_ids(d)] + module_ids
                if ids:
                    found[f"{rel}::{node.name}"] = set(ids)
    return found


def _covered() -> dict[str, list[str]]:
    by_rule: dict[str, list[str]] = {}
    for test, ids in markers().items():
        for i in ids:
            by_rule.setdefault(i, []).append(test)
    return by_rule


def test_the_table_parses_and_each_rule_is_a_section_of_its_policy() -> None:
    _, rows = _table()
    assert len(rows) > 50
    duplicates = [r for r, n in Counter(r.rule for r in rows).items() if n > 1]
    assert not duplicates, f"rules listed twice: {duplicates}"
    problems = []
    for row in rows:
        code, _, section = row.rule.partition(" ")
        if code not in CODES:
            problems.append(f"{row.rule}: the id starts with one of {', '.join(CODES)}")
        elif section_key(code, section) not in indexes()[code].sections:
            problems.append(
                f"{row.rule}: {indexes()[code].document} has no section {section} "
                f"(records/policy-sections/{indexes()[code].jurisdiction}.yaml)"
            )
        if row.status not in STATUSES:
            problems.append(f"{row.rule}: status {row.status!r} is not one of {STATUSES}")
        if row.found not in FOUND:
            problems.append(f"{row.rule}: found {row.found!r} is not one of {tuple(FOUND)}")
    assert not problems, "\n".join(problems)


def test_the_counts_agree_with_the_rows() -> None:
    text, rows = _table()
    status = Counter(r.status for r in rows)
    words = ", ".join(f"{s} {status[s]}" for s in STATUSES)
    expected = f"Rows by status: {words}, total {len(rows)}."
    assert expected in " ".join(text.split()), f"the Counts section should read: {expected}"
    found = Counter(r.found for r in rows)
    words = ", ".join(f"{label} {found[key]}" for key, label in FOUND.items())
    assert words in " ".join(text.split()), f"the Counts section's found line should read: {words}"


def test_every_implemented_or_partial_rule_has_a_test() -> None:
    _, rows = _table()
    covered = _covered()
    lacking = [r for r in rows if r.status in NEEDS_A_TEST and r.rule not in covered]
    lines = [
        f"{r.rule} ({r.status}{', pending: ' + r.pending if r.pending else ''})" for r in lacking
    ]
    assert not lacking, (
        f"{len(lacking)} rules marked implemented or partial have no test carrying "
        '@pytest.mark.rule("<id>"):\n' + "\n".join(lines)
    )


def test_every_marker_names_a_rule_of_the_table() -> None:
    text, rows = _table()
    known = {r.rule for r in rows}
    renamed = _renamed(text)
    problems = []
    for rule, tests in sorted(_covered().items()):
        if rule in known:
            continue
        hint = (
            f"renamed: use {renamed[rule]!r} (records/RULES.md, Renamed ids)"
            if rule in renamed
            else "not in records/RULES.md: add its row, or correct the id"
        )
        problems.append(f"{rule} ({', '.join(tests)}): {hint}")
    assert not problems, "\n".join(problems)


def test_the_tests_column_names_tests_carrying_the_rows_marker() -> None:
    _, rows = _table()
    found = markers()
    problems = [
        f"{r.rule}: {name} "
        + ("does not carry this rule's marker" if name in found else "is not a test in tests/")
        for r in rows
        for name in r.tests
        if r.rule not in found.get(name, set())
    ]
    assert not problems, "\n".join(problems)


def test_a_rule_some_test_covers_is_listed_with_its_tests() -> None:
    """A row still marked missing (or wrong, or pending) while tests cover it: the table is
    behind the code. The message says what to write in the row."""
    _, rows = _table()
    covered = _covered()
    problems = []
    for r in rows:
        tests = sorted(set(covered.get(r.rule, [])) - set(r.tests))
        if not tests:
            continue
        if r.status not in NEEDS_A_TEST:
            problems.append(f"{r.rule}: marked {r.status}, but {', '.join(tests)} cover it")
        else:
            problems.append(f"{r.rule}: add {', '.join(tests)} to its Tests column")
    assert not problems, "\n".join(problems)


def test_the_marker_reader_finds_every_form(tmp_path: Path) -> None:
    src = (
        "import pytest\n"
        "pytestmark = pytest.mark.rule('LS IV')\n"
        "@pytest.mark.rule('TB III.A', 'LG II.a.i')\n"
        "def test_a(): ...\n"
        "@pytest.mark.parametrize('x', [pytest.param(1, marks=pytest.mark.rule('JC 7(a)'))])\n"
        "def test_b(x): ...\n"
    )
    tree = ast.parse(src)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert [i for d in funcs[0].decorator_list for i in _marker_ids(d)] == ["TB III.A", "LG II.a.i"]
    assert [i for d in funcs[1].decorator_list for i in _marker_ids(d)] == ["JC 7(a)"]
    assert _marker_ids(tree.body[1]) == ["LS IV"]
