"""The section indexes of the four policies (records/policy-sections/) and a reader of citations.

A citation string names sections of the four policies ("Directive 103.059 §III.D",
"Los Gatos VII.a.i", "Rules of Procedure, Rule 4(b)(i)", "PACE Policy §II.B.3") and of statutes
and codes that are not these policies ("RCW 42.56.520(1)", "Gov't Code §552.221(d)", "Town Code
§1.30"). `read` tells them apart: a section of one of the four policies comes back as a
`PolicyRef` to check against the index; anything else comes back as an `OtherRef`, named by the
statute or code it belongs to, so a test can show what it skipped and why.

The rule that separates them: the four policies number their sections with Roman numerals (Tom
Bean, Los Gatos, Lee's Summit) or as "Rule <n>(<letter>)..." (Jefferson County); a statute's
section is a number ("§552.221", "RCW 42.56.520"). A Roman-numeral section that no policy name
precedes, in a file that belongs to no jurisdiction, is an `Unattributed` reference: the test
fails on it, since nobody can check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
INDEX_DIR = ROOT / "records" / "policy-sections"
CODES = ("TB", "LG", "JC", "LS")


@dataclass(frozen=True)
class Section:
    code: str
    key: str  # as the index keys it: "VIII.C.2", "Rule 4(b)(i)"
    heading: str
    tags: frozenset[str]


@dataclass
class Index:
    code: str
    jurisdiction: str
    document: str
    cited_as: list[str]
    sections: dict[str, Section] = field(default_factory=dict)

    def parent(self, key: str) -> str | None:
        """The section above `key`: "VIII.C.2" -> "VIII.C", "Rule 4(b)(i)" -> "Rule 4(b)"."""
        if key.endswith(")"):
            return key[: key.rindex("(")]
        return key.rsplit(".", 1)[0] if "." in key else None

    def tags(self, key: str) -> set[str]:
        """The section's tags and those of every section above it."""
        found: set[str] = set()
        k: str | None = key
        while k is not None:
            if k in self.sections:
                found |= self.sections[k].tags
            k = self.parent(k)
        return found


@cache
def indexes() -> dict[str, Index]:
    out: dict[str, Index] = {}
    for path in sorted(INDEX_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        idx = Index(data["code"], data["jurisdiction"], data["document"], list(data["cited_as"]))
        for key, entry in data["sections"].items():
            idx.sections[str(key)] = Section(
                idx.code, str(key), entry["heading"], frozenset(entry.get("tags", []))
            )
        out[idx.code] = idx
    return out


def code_of_jurisdiction(jurisdiction: str) -> str:
    (code,) = [c for c, i in indexes().items() if i.jurisdiction == jurisdiction]
    return code


def section_key(code: str, section: str) -> str:
    """The index key of a rule id's section: "JC 4(b)(i)" is keyed "Rule 4(b)(i)"."""
    return f"Rule {section}" if code == "JC" and not section.startswith("Rule") else section


@dataclass(frozen=True)
class PolicyRef:
    code: str
    key: str
    text: str  # the reference as written


@dataclass(frozen=True)
class OtherRef:
    source: str  # the statute or code it belongs to
    text: str


@dataclass(frozen=True)
class Unattributed:
    text: str


Ref = PolicyRef | OtherRef | Unattributed

# Names that start a reference to a statute, code or standard that is not one of the four
# policies. Longest first where one is a prefix of another ("Los Gatos Town Code" before the
# policy's "Los Gatos").
OTHER_SOURCES = (
    "Los Gatos Town Code",
    "Town Code",
    "Local Gov't Code",
    "Gov't Code",
    "Gov. Code",
    "Government Code",
    "Evid. Code",
    "Evidence Code",
    "Penal Code",
    "Civ. Prac. & Rem. Code",
    "Rule of Evidence",
    "Mo. Rev. Stat.",
    "RSMo",
    "RCW",
    "WAC",
    "JCC",
    "TAC",
    "U.S.C.",
    "IPMC",
    "MBMC",
    "DESIGN",
)

_ROMAN = r"[IVX]+(?:\.[A-Za-z0-9]+)*(?:-[A-Za-z0-9]+)?"
_RULE = r"Rule\s+(?P<rnum>\d+)(?P<rletters>(?:\([A-Za-z]+\))*)(?:-\((?P<rend>[A-Za-z]+)\))?"


def _policy_names() -> list[tuple[str, str]]:
    names = [(name, code) for code, idx in indexes().items() for name in idx.cited_as]
    return sorted(names, key=lambda n: -len(n[0]))


@cache
def _token_re() -> re.Pattern[str]:
    others = "|".join(re.escape(s) for s in OTHER_SOURCES)
    policies = "|".join(re.escape(n) for n, _ in _policy_names())
    return re.compile(
        rf"(?P<other>{others})"
        rf"|(?P<policy>{policies})(?:,?\s+(?P<bare>(?!Rule){_ROMAN})\b)?"
        rf"|(?P<rule>{_RULE})"
        rf"|§\s*(?P<roman>{_ROMAN})\b"
        rf"|§\s*(?P<number>\d[\w.()-]*)"
        rf"|(?P<sep>;)"
    )


def _expand(code: str, written: str) -> list[str]:
    """A range ("VII.a.ii-iii", "II.A.1-2") is checked at both ends."""
    if "-" not in written:
        return [written]
    first, last_part = written.split("-", 1)
    head = first.rsplit(".", 1)[0] if "." in first else ""
    return [first, f"{head}.{last_part}" if head else last_part]


def read(text: str, default: str | None = None) -> list[Ref]:
    """Every section reference in `text`. `default` is the code of the policy a bare "§IV.b.i"
    belongs to (the jurisdiction of the file it is in), or None."""
    names = dict(_policy_names())
    refs: list[Ref] = []
    current: str | None = default  # a policy code, "other:<name>" or None
    for m in _token_re().finditer(text):
        if m.group("sep"):
            current = default
        elif m.group("other"):
            current = "other:" + m.group("other")
            refs.append(OtherRef(m.group("other"), m.group(0)))
        elif m.group("policy"):
            current = names[m.group("policy")]
            if m.group("bare"):
                for key in _expand(current, m.group("bare")):
                    refs.append(PolicyRef(current, key, m.group(0)))
        elif m.group("rule"):
            number, letters, range_end = m.group("rnum"), m.group("rletters"), m.group("rend")
            key = f"Rule {number}{letters}"
            refs.append(PolicyRef("JC", key, m.group(0)))
            if range_end:
                refs.append(PolicyRef("JC", key[: key.rindex("(")] + f"({range_end})", m.group(0)))
        elif m.group("roman"):
            if current in CODES:
                for key in _expand(current, m.group("roman")):
                    refs.append(PolicyRef(current, key, m.group(0)))
            elif current is not None:
                refs.append(OtherRef(current.removeprefix("other:"), m.group(0)))
            else:
                refs.append(Unattributed(m.group(0)))
        elif m.group("number") and not (current or "").startswith("other:"):
            # None of the four policies numbers its sections with digits: "§610.100.3" is a
            # statute's even where no statute is named before it (a statute named before it
            # was already counted above).
            refs.append(OtherRef("a statute or code section", m.group(0)))
    return refs


def strings(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Every string in a loaded YAML document, with the path of keys (and list positions) to it."""
    if isinstance(node, str):
        return [(path, node)]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in strings(v, (*path, str(k)))]
    if isinstance(node, list):
        return [s for i, v in enumerate(node) for s in strings(v, (*path, str(i)))]
    return []


def comments(text: str) -> list[tuple[int, str]]:
    """The comment part of each YAML line that has one (a '#' outside quotes, roughly: the
    records files put '#' in no string)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith("#"):
            out.append((n, stripped))
        elif " #" in line:
            out.append((n, line[line.index(" #") :]))
    return out
