"""The complainant's identifiers as patterns that survive how documents mangle text.

A name may reach a released file split one glyph at a time, hyphenated across a line, with
curly apostrophes, without its accents, upper-cased, or surname first; a phone number in any of
a dozen formats; an e-mail address inside a mailto link. Each identifier becomes patterns over
two views of a text: the folded words (accents, case and punctuation gone) and the "squashed"
letters and digits alone (every space and mark gone), which is what defeats per-glyph spacing
and line-break hyphenation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docsvc.cases.normalize import APOSTROPHES, address_key, fold

# Letters that are letters of their own, not a letter with a mark: fold() keeps them apart.
_OWN_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
     "þ": "th", "Þ": "th", "ð": "d", "\u0131": "i"}  # the last: dotless i
)  # fmt: skip
# Invisible characters extractors leave in words: soft hyphen, pdfium's line-join marker,
# zero-width space and joiners, word joiner, byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\ufffe\u200b\u200c\u200d\u2060\ufeff"), None)
_LINE_HYPHEN = re.compile(r"[-\u2010\u2011]\s*\n\s*")
MIN_SQUASHED = 4  # shortest needle looked for inside a run of single glyphs
MIN_ANYWHERE = 10  # shortest needle looked for anywhere in the squashed text: shorter ones
#                   ("obrien") would be found across word boundaries ("to Brien Street")
# Three or more tokens of one or two characters: glyphs set apart ("ob r i e n").
_GLYPH_RUN = re.compile(r"(?<= )\w{1,2}(?: \w{1,2}){2,}(?= )")


def words(text: str) -> str:
    """The folded-words view: ' maria obrien nguyen ' (padded so a needle can anchor)."""
    text = _LINE_HYPHEN.sub("", text.translate(_INVISIBLE))
    return f" {fold(text.translate(_OWN_LETTERS))} "


def squashed(text: str) -> str:
    """Letters and digits only: 'Maria O\u2019Bri-\\nen Nguyen' -> 'mariaobriennguyen'."""
    return words(text).replace(" ", "")


def glyph_runs(word_view: str) -> list[str]:
    """Text set a glyph or two at a time ('m a r i a ob r i e n'), each run joined up."""
    return [m.group(0).replace(" ", "") for m in _GLYPH_RUN.finditer(word_view)]


@dataclass(frozen=True)
class Needle:
    kind: str  # name | phone | email | address
    word_pattern: re.Pattern[str]
    squashed_form: str | None = None

    def found_in(self, word_view: str, squashed_view: str, runs: list[str]) -> bool:
        if self.word_pattern.search(word_view):
            return True
        form = self.squashed_form
        if not form:
            return False
        if len(form) >= MIN_ANYWHERE and form in squashed_view:
            return True
        return any(form in run for run in runs)


def _phrase(tokens: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])" + r"\s+".join(map(re.escape, tokens)) + r"(?![\w])")


def _spaced_digits(digits: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\d)" + r"\s?".join(digits) + r"(?!\d)")


def name_needles(name: str) -> list[Needle]:
    tokens = fold(name.translate(_OWN_LETTERS)).split()
    if not tokens:
        return []
    out = [Needle("name", _phrase(tokens), _squash_ok("".join(tokens)))]
    if len(tokens) > 1:
        # Surname first ("Nguyen, Maria"), and the surname alone (every word after the first).
        last = tokens[1:]
        out.append(Needle("name", _phrase([*last, tokens[0]]), None))
        out.append(Needle("name", _phrase(last), _squash_ok("".join(last))))
        for part in last if len(last) > 1 else []:
            if len(part) >= 4:
                out.append(Needle("name", _phrase([part]), _squash_ok(part)))
    return out


def _squash_ok(form: str) -> str | None:
    return form if len(form) >= MIN_SQUASHED else None  # "lee" would be in too many runs


def phone_needles(phone: str) -> list[Needle]:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) < 7:
        return []
    out = [Needle("phone", _spaced_digits(digits), digits)]
    if len(digits) == 10:  # the local number, dialled without its area code
        out.append(Needle("phone", _spaced_digits(digits[3:]), None))
    return out


def email_needles(email: str) -> list[Needle]:
    tokens = fold(email).split()
    if not tokens:
        return []
    out = [Needle("email", _phrase(tokens), _squash_ok("".join(tokens)))]
    local = fold(email.split("@", 1)[0]).split()
    if local and len("".join(local)) >= 4:
        out.append(Needle("email", _phrase(local), None))
    return out


def address_needles(address: str) -> list[Needle]:
    """The house number and street name ('1420 elm'): the unit, city and ZIP vary in use."""
    tokens = address_key(address).split()
    if len(tokens) < 2:
        return []
    return [Needle("address", _phrase(tokens[:2]), _squash_ok("".join(tokens[:2])))]


@dataclass(frozen=True)
class Identity:
    """What identifies one complainant. Never logged, never stored outside the complaint."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    def needles(self) -> list[Needle]:
        return [
            *(name_needles(self.name) if self.name else []),
            *(phone_needles(self.phone) if self.phone else []),
            *(email_needles(self.email) if self.email else []),
            *(address_needles(self.address) if self.address else []),
        ]


def kinds_found(text: str, needles: list[Needle]) -> set[str]:
    """Which kinds of identifier the text holds (never which value, never where)."""
    if not text:
        return set()
    w = words(text)
    s, runs = w.replace(" ", ""), glyph_runs(w)
    return {n.kind for n in needles if n.found_in(w, s, runs)}


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """The words view of `text` with, for each of its characters, the index in `text` it came
    from: what turns a match back into the span of the original to box or replace."""
    out: list[str] = []
    where: list[int] = []
    i, n = 0, len(text)
    while i < n:
        m = _LINE_HYPHEN.match(text, i)
        if m and out and out[-1] != " ":
            i = m.end()  # "O'Bri-\n en": the line-break hyphen joins, it is not a gap
            continue
        ch = text[i].translate(_INVISIBLE)
        if ch and ch not in APOSTROPHES:  # O'Brien -> obrien, as fold() does
            folded = fold(ch.translate(_OWN_LETTERS))
            if folded:
                out.extend(folded)
                where.extend([i] * len(folded))
            elif out and out[-1] != " ":
                out.append(" ")
                where.append(i)
        i += 1
    return "".join(out), where


def find_spans(text: str, needles: list[Needle]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every identifier in `text`, as indices into `text`, merged where
    they overlap. Used to box hits on a page and to replace them in text we render."""
    folded, where = _folded_with_map(text)
    padded = f" {folded} "
    spans: list[tuple[int, int, str]] = []

    def add(a: int, b: int, kind: str) -> None:  # a, b: indices into `folded`
        a, b = max(a, 0), min(b, len(where))
        if a < b:
            spans.append((where[a], where[b - 1] + 1, kind))

    for needle in needles:
        for m in needle.word_pattern.finditer(padded):
            add(m.start() - 1, m.end() - 1, needle.kind)
    # Glyph runs and squashed text: match on the letters alone, mapped back through them.
    letters = [k for k, ch in enumerate(folded) if ch != " "]
    squashed_text = "".join(folded[k] for k in letters)
    for needle in needles:
        form = needle.squashed_form
        if not form:
            continue
        for run in _GLYPH_RUN.finditer(padded):
            start = len(folded[: run.start() - 1].replace(" ", ""))
            joined = run.group(0).replace(" ", "")
            at = joined.find(form)
            while at >= 0:
                add(letters[start + at], letters[start + at + len(form) - 1] + 1, needle.kind)
                at = joined.find(form, at + 1)
        if len(form) >= MIN_ANYWHERE:
            at = squashed_text.find(form)
            while at >= 0:
                add(letters[at], letters[at + len(form) - 1] + 1, needle.kind)
                at = squashed_text.find(form, at + 1)
    return _merge(spans)


_PRIORITY = {"name": 0, "email": 1, "phone": 2, "address": 3}


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one, named by the most identifying kind among them."""
    out: list[tuple[int, int, str]] = []
    for a, b, kind in sorted(spans):
        if out and a <= out[-1][1]:
            pa, pb, pk = out[-1]
            out[-1] = (pa, max(pb, b), min(pk, kind, key=lambda k: _PRIORITY.get(k, 9)))
        else:
            out.append((a, b, kind))
    return out


def replace_spans(text: str, needles: list[Needle], label: str) -> tuple[str, list[str]]:
    """`text` with each identifier replaced by `[label]`; and the kinds replaced."""
    spans = find_spans(text, needles)
    for a, b, _ in reversed(spans):
        text = f"{text[:a]}[{label}]{text[b:]}"
    return text, [k for _, _, k in spans]
