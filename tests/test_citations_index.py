"""Every citation of the four policies in records/, retention/, docsvc/, templates/ and docs/ names a section the
policy has (records/policy-sections/), and a profile's citation cites a section about the thing it
is cited for. Citations of statutes and codes (RCW, JCC, Gov't Code, RSMo, ...) are not these
policies: they are told apart and listed as skipped, never checked against the index."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.policy_sections import (
    ROOT,
    OtherRef,
    PolicyRef,
    Ref,
    Unattributed,
    code_of_jurisdiction,
    comments,
    indexes,
    read,
    strings,
)


@dataclass(frozen=True)
class Cited:
    where: str  # file:line or file: key.path
    path: tuple[str, ...]  # the YAML key path, () for comments and source lines
    ref: Ref


def _yaml_file(path: Path, default: str | None) -> Iterator[Cited]:
    rel = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    for keys, value in strings(yaml.safe_load(text)):
        for ref in read(value, default):
            yield Cited(f"{rel}: {'.'.join(keys)}", keys, ref)
    for line, comment in comments(text):
        for ref in read(comment, default):
            yield Cited(f"{rel}:{line}", (), ref)


NAME_AT_END = re.compile(r"(Tom Bean|Los Gatos|Lee's Summit|Jefferson County)\s*$")


def _source_file(path: Path) -> Iterator[Cited]:
    rel = path.relative_to(ROOT).as_posix()
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        # A docstring may break "(Los Gatos" / "III.b.i)" across lines: read the two together.
        if NAME_AT_END.search(line) and n < len(lines):
            line = line + " " + lines[n].lstrip(" #\"'")
        for ref in read(line, None):
            yield Cited(f"{rel}:{n}", (), ref)


def records_citations() -> list[Cited]:
    """The profiles (and anything beside them), the document types, the court certifications
    and the retention schedules."""
    found: list[Cited] = []
    for folder in sorted((ROOT / "records" / "jurisdictions").iterdir()):
        code = code_of_jurisdiction(folder.name)
        for path in sorted(folder.rglob("*.yaml")):
            found += _yaml_file(path, code)
    for name in ("document-types.yaml", "court-certifications.yaml"):
        found += _yaml_file(ROOT / "records" / name, None)
    for path in sorted((ROOT / "retention").glob("*.yaml")):
        found += _yaml_file(path, code_of_jurisdiction(path.stem))
    return found


def source_citations() -> list[Cited]:
    paths = sorted((ROOT / "docsvc").rglob("*.py")) + sorted((ROOT / "docsvc").rglob("*.html"))
    paths += sorted((ROOT / "templates").rglob("*.html"))
    paths += [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", ROOT / "ARCHITECTURE.md"]
    return [c for p in paths for c in _source_file(p)]


def _missing(cited: list[Cited]) -> list[str]:
    idx = indexes()
    return [
        f"{c.where}: {c.ref.text!r} cites {c.ref.code} {c.ref.key}, which "
        f"{idx[c.ref.code].document} does not have"
        for c in cited
        if isinstance(c.ref, PolicyRef) and c.ref.key not in idx[c.ref.code].sections
    ]


def _unattributed(cited: list[Cited]) -> list[str]:
    return [
        f"{c.where}: {c.ref.text!r} names no policy; write the policy's name before it"
        for c in cited
        if isinstance(c.ref, Unattributed)
    ]


def test_every_policy_section_cited_in_records_exists() -> None:
    cited = records_citations()
    assert any(isinstance(c.ref, PolicyRef) for c in cited)
    problems = _missing(cited) + _unattributed(cited)
    assert not problems, "\n".join(problems)


def test_every_policy_section_cited_in_the_code_exists() -> None:
    cited = source_citations()
    assert any(isinstance(c.ref, PolicyRef) for c in cited)
    problems = _missing(cited) + _unattributed(cited)
    assert not problems, "\n".join(problems)


# What a profile's citation at each key must be about: every section it cites of the policy must
# carry (itself or a section above it) one of these tags of records/policy-sections/. "*" is any
# key; TYPE means the document type's own name is the tag.
TYPE = "<the document type>"
FIT: list[tuple[tuple[str, ...], set[str] | str]] = [
    (("complaints", "citation"), {"complaint-acceptance"}),
    (("clocks", "contact_complainant", "citation"), {"contact-complainant"}),
    (("clocks", "reinspect_after_compliance_date", "citation"), {"follow-up"}),
    (("clocks", "follow_up_after_closure", "citation"), {"follow-up"}),
    (("clocks", "investigate_complaint", "citation"), {"complaint-response"}),
    (("money", "fines", "citation"), {"fines"}),
    (("money", "lien", "citation"), {"lien"}),
    (("money", "settlements", "citation"), {"settlement"}),
    (("money", "vouchers", "citation"), {"vouchers"}),
    (("priority", "citation"), {"priority", "aggravating"}),
    (("service", "citation"), {"service"}),
    (("document_types", "*", "citation"), TYPE),
    (("violation_types", "*", "deadline_source"), {"deadlines", "stop-work-order"}),
]


def _fits(path: tuple[str, ...]) -> set[str] | None:
    for pattern, tags in FIT:
        if len(pattern) == len(path) and all(
            p in ("*", k) for p, k in zip(pattern, path, strict=True)
        ):
            return {path[1]} if tags == TYPE else set(tags)
    return None


def _misfits(cited: list[Cited], wanted_for) -> list[str]:
    idx = indexes()
    out = []
    for c in cited:
        if not isinstance(c.ref, PolicyRef) or c.ref.key not in idx[c.ref.code].sections:
            continue
        wanted = wanted_for(c.path)
        if wanted and not wanted & idx[c.ref.code].tags(c.ref.key):
            heading = idx[c.ref.code].sections[c.ref.key].heading
            out.append(
                f"{c.where}: {c.ref.text!r} is {c.ref.code} {c.ref.key} ({heading}), "
                f"not about {' or '.join(sorted(wanted))}"
            )
    return out


def test_each_profile_citation_cites_a_section_about_its_use() -> None:
    cited = [c for c in records_citations() if c.where.startswith("records/jurisdictions/")]
    problems = _misfits([c for c in cited if c.path], _fits)
    assert not problems, "\n".join(problems)


def test_document_types_cite_sections_about_that_document() -> None:
    """records/document-types.yaml: whatever a type's entry cites is about that type."""
    cited = [c for c in records_citations() if c.where.startswith("records/document-types.yaml: ")]
    problems = _misfits(cited, lambda path: {path[0]} if path else None)
    assert not problems, "\n".join(problems)


def test_statutes_and_codes_are_told_apart_and_skipped_by_name() -> None:
    """The skipped references are statutes and codes, each named; none is one of the four
    policies' sections in disguise."""
    skipped = [c for c in records_citations() + source_citations() if isinstance(c.ref, OtherRef)]
    sources = {c.ref.source for c in skipped}
    # The shipped profiles and schedules cite Washington, California, Texas and Missouri law.
    assert {"RCW", "JCC", "Gov't Code", "Gov. Code", "RSMo"} <= sources, sources
    for c in skipped:
        assert not isinstance(c.ref, PolicyRef)


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        (
            "Directive 103.059 §III.D (written) and §V.A.2 (anonymous)",
            None,
            [("TB", "III.D"), ("TB", "V.A.2")],
        ),
        (
            "Tom Bean VIII.A; Los Gatos VII.a.i (door hanger)",
            None,
            [("TB", "VIII.A"), ("LG", "VII.a.i")],
        ),
        (
            "Code Compliance Standards §VII.a.ii-iii",
            None,
            [("LG", "VII.a.ii"), ("LG", "VII.a.iii")],
        ),
        ("PACE Policy §II.A.1-2", None, [("LS", "II.A.1"), ("LS", "II.A.2")]),
        (
            "Rules of Procedure, Rule 4(b)(i); JCC 19.10.025(3), 19.30.020",
            None,
            [("JC", "Rule 4(b)(i)"), "JCC"],
        ),
        ("Jefferson County Rule 5(a)(iii)(A)", None, [("JC", "Rule 5(a)(iii)(A)")]),
        (
            "Code Compliance Standards §II.a.iii.2 (Town Code §1.30); Cal. Gov't Code §36900(b)",
            "LG",
            [("LG", "II.a.iii.2"), "Town Code", "Gov't Code"],
        ),
        ("Los Gatos Town Code (section to be supplied)", "LG", ["Los Gatos Town Code"]),
        ("minor violations correctable within ten days, §VII.b.ii", "LG", [("LG", "VII.b.ii")]),
        (
            "ch. 610 RSMo; §610.100.3 or §610.021(14)",
            "LS",
            ["RSMo", "a statute or code section", "a statute or code section"],
        ),
        ("Federal Rule of Evidence 902(11)", None, ["Rule of Evidence"]),
        ("the notice (§VII.a.ii)", None, [None]),
    ],
)
def test_the_reader_tells_policy_sections_from_statutes(
    text: str, default: str | None, expected: list[object]
) -> None:
    got: list[object] = []
    for ref in read(text, default):
        if isinstance(ref, PolicyRef):
            got.append((ref.code, ref.key))
        elif isinstance(ref, OtherRef):
            got.append(ref.source)
        else:
            got.append(None)
    assert got == expected


def test_a_section_the_policy_lacks_is_reported() -> None:
    """The Los Gatos profile once cited §V.a.1 for anonymous complaints: V.a is Recording
    Complaints, with no paragraph 1; anonymous complaints are IV.a.1."""
    cited = [
        Cited("profile", ("complaints", "citation"), r)
        for r in read("Code Compliance Standards §V.a.1", "LG")
    ]
    assert _missing(cited)
    fixed = [
        Cited("profile", ("complaints", "citation"), r)
        for r in read("Code Compliance Standards §IV.a.1", "LG")
    ]
    assert not _missing(fixed) and not _misfits(fixed, _fits)
    # A section that exists but is about something else: V.a is about recording complaints.
    wrong_use = [
        Cited("profile", ("clocks", "contact_complainant", "citation"), r)
        for r in read("§V.a", "LG")
    ]
    assert _misfits(wrong_use, _fits)
