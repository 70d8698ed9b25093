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
from typing import Any

from docsvc.cases.normalize import ABBREVIATIONS, APOSTROPHES, address_key, fold

# Letters that are letters of their own, not a letter with a mark: fold() keeps them apart.
_OWN_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
     "þ": "th", "Þ": "th", "ð": "d", "\u0131": "i",  # dotless i
     # Cyrillic and Greek letters drawn like Latin ones: "Ottoline" with a Cyrillic O reads
     # as Ottoline to every reader of the page.
     **dict(zip("\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0423\u0406\u0408\u0405\u03bf\u03b1\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5\u03c7\u0391\u0392\u0395\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
                "aeopcyxijsdhabekmhopctxyijsoaeikvptuxabehikmnoptyx", strict=True))}
)  # fmt: skip
# Invisible characters extractors leave in words: soft hyphen, pdfium's line-join marker,
# zero-width space and joiners, word joiner, byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\ufffe\u200b\u200c\u200d\u2060\ufeff"), None)
_LINE_HYPHEN = re.compile(r"[-\u2010\u2011\u00ad]\s*\n\s*")  # a soft hyphen too
MIN_SQUASHED = 4  # shortest needle looked for inside a run of single glyphs
# Shortest given name withheld on its own: most given names are five letters or fewer (Juan,
# Mary, Zelda). Two letters ("Al", "Jo", "Ed") are left to the full name and the surname:
# alone they would strike every "et al." of a filing and the state code AL.
MIN_GIVEN_NAME = 3
MIN_ANYWHERE = 10  # shortest needle looked for anywhere in the squashed text: shorter ones
#                   ("obrien") would be found across word boundaries ("to Brien Street")
# Three or more tokens of one or two characters: glyphs set apart ("ob r i e n").
_GLYPH_RUN = re.compile(r"(?<= )\w{1,2}(?: \w{1,2}){2,}(?= )")


# "#4B" is a unit: read as the word, so the designator-led unit needle finds it anywhere.
_HASH = " unit "
# "Smith & Sons" is written "Smith and Sons" as often: the ampersand reads as the word.
_AND = " and "
# A period between single letters ("L.L.C.") joins an abbreviation; elsewhere it separates.
_DOTTED = re.compile(r"(?<![^\W_])(\w)\.(?=\w(?![^\W_]))")


def _undotted(text: str) -> str:
    """'Smith & Sons, L.L.C.' -> 'Smith & Sons, LLC.': an abbreviation's letters as one word."""
    return _DOTTED.sub(r"\1", text)


def _fold(text: str) -> str:
    """fold(), with the underscore a separator as any other mark: 'Zelda_Lopez_letter.pdf'
    names the complainant as 'Zelda Lopez letter' does (fold() keeps it, a word character)."""
    return fold(text.replace("_", " "))


def words(text: str) -> str:
    """The folded-words view: ' maria obrien nguyen ' (padded so a needle can anchor)."""
    text = _LINE_HYPHEN.sub("", text).translate(_INVISIBLE).replace("#", _HASH)
    text = _undotted(text).replace("&", _AND)
    return f" {_fold(text.translate(_OWN_LETTERS))} "


def squashed(text: str) -> str:
    """Letters and digits only: 'Maria O\u2019Bri-\\nen Nguyen' -> 'mariaobriennguyen'."""
    return words(text).replace(" ", "")


def glyph_runs(word_view: str) -> list[str]:
    """Text set a glyph or two at a time ('m a r i a ob r i e n'), each run joined up."""
    return [m.group(0).replace(" ", "") for m in _GLYPH_RUN.finditer(word_view)]


@dataclass(frozen=True)
class Needle:
    kind: str  # name | phone | email | address | unit
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


# What ends a business's name ("Smith & Sons LLC"): a record may name it without.
BUSINESS_SUFFIXES = {"llc", "inc", "co", "corp", "ltd", "lp", "llp", "pllc", "company",
                     "corporation", "incorporated", "limited"}  # fmt: skip


# What follows a comma in a name without being a given name ("Smith & Sons, LLC", "Lee, Jr.").
_AFTER_COMMA = BUSINESS_SUFFIXES | {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}


def name_needles(name: str) -> list[Needle]:
    surname, comma, given = name.partition(",")
    if comma and "," not in given and _fold(given) and _fold(given) not in _AFTER_COMMA:
        name = f"{given} {surname}"  # "Lopez, Maria": the given name is Maria
    # Punctuation ("<LLC>", commas, periods) folds away; "&" is the word "and", as in words().
    tokens = _fold(_undotted(name).replace("&", _AND).translate(_OWN_LETTERS)).split()
    if not tokens:
        return []
    out = [Needle("name", _phrase(tokens), _squash_ok("".join(tokens)))]
    if len(tokens) > 2 and tokens[-1] in BUSINESS_SUFFIXES:
        # "Smith and Sons" for "Smith & Sons LLC": the whole name less its suffix.
        bare = tokens[:-1]
        out.append(Needle("name", _phrase(bare), _squash_ok("".join(bare))))
    if len(tokens) > 1:
        # Surname first ("Nguyen, Maria"), and the surname alone (every word after the first).
        last = tokens[1:]
        out.append(Needle("name", _phrase([*last, tokens[0]]), None))
        out.append(Needle("name", _phrase(last), _squash_ok("".join(last))))
        for part in last if len(last) > 1 else []:
            if len(part) >= 4:
                out.append(Needle("name", _phrase([part]), _squash_ok(part)))
    # "Lopez's" folds to "lopezs": each form's possessive too (a long form is found inside it
    # by its squashed form already; a short one is not).
    out += [Needle("name", _possessive(n.word_pattern), None) for n in list(out)]
    if len(tokens) > 1:
        # The given name alone ("called back Zelda"), whatever its length.
        given = tokens[1] if tokens[0] in HONORIFICS and len(tokens) > 2 else tokens[0]
        if len(given) >= MIN_GIVEN_NAME:
            out.append(Needle("name", _given_name(given), None))
    return out


# Titles written before a name: "Mrs Zelda Quackenbush"'s given name is Zelda, not "mrs".
HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "rev", "prof", "sir", "dame"}
# Words that make a given name a place's ("12 Maria Street", "Juan Ave"): the property's
# address is the case's subject, not the complainant. Every street type, spelled either way.
PLACE_WORDS = {"street", "st", "str", "avenue", "ave", "av", "road", "rd", "drive", "dr",
               "lane", "ln", "boulevard", "blvd", "court", "ct", "place", "pl", "parkway",
               "pkwy", "highway", "hwy", "circle", "cir", "terrace", "ter", "way", "trail",
               "trl", "loop", "square", "sq", "alley", "aly", "cove", "cv", "crossing",
               "xing"}  # fmt: skip
_NOT_A_PLACE = r"(?!\s+(?:" + "|".join(sorted(PLACE_WORDS)) + r")(?![\w]))"
MIN_SPLIT_GIVEN = 5  # shortest given name found split anywhere ("zel da"): "a my" is not Amy


def _possessive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern.removesuffix(r"(?![\w])") + r"s(?![\w])")


def _given_name(given: str) -> re.Pattern[str]:
    """The given name alone: whole, possessive ("Zelda's" folds to "zeldas"), or set a glyph
    at a time ("z e l d a"; a long one split anywhere, as a line or a kerning splits it); not
    where a street type follows it. Matched on folded text, capitals and all: "will" and
    "may" are struck for a Will or a May, which the clerk drops at review; a name written in
    lower case, or read so by OCR, is not missed."""
    gap = r"\s?" if len(given) >= MIN_SPLIT_GIVEN else r"\s"
    forms = [re.escape(given), gap.join(map(re.escape, given))]
    return re.compile(rf"(?<![\w])(?:{'|'.join(forms)})s?(?![\w]){_NOT_A_PLACE}")


def _squash_ok(form: str) -> str | None:
    return form if len(form) >= MIN_SQUASHED else None  # "lee" would be in too many runs


def phone_needles(phone: str) -> list[Needle]:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) < 7:
        return []
    forms = [digits, digits[3:]] if len(digits) == 10 else [digits]  # and the local number
    out = [Needle("phone", _spaced_digits(digits), digits)]
    out += [Needle("phone", _spaced_digits(f), None) for f in forms[1:]]
    out += [Needle("phone", _spoken(f), None) for f in forms]
    return out


_SPOKEN = ("zero|oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _spoken(digits: str) -> re.Pattern[str]:
    """The number read out, digit by digit in words or figures: 'nine zero three, 5 5 5'."""
    alternatives = (f"(?:{d}|{_SPOKEN[int(d)]})" for d in digits)
    return re.compile(r"(?<![\w])" + r"\s*".join(alternatives) + r"(?![\w])")


def email_needles(email: str) -> list[Needle]:
    tokens = _fold(email).split()
    if not tokens:
        return []
    out = [Needle("email", _phrase(tokens), _squash_ok("".join(tokens)))]
    local = _fold(email.split("@", 1)[0]).split()
    domain = _fold(email.split("@", 1)[1]).split() if "@" in email else []
    if local and len("".join(local)) >= 4:
        out.append(Needle("email", _phrase(local), None))
    if local and domain:
        # Spelled out ("obs [at] example [dot] net"), and the local part misread by one
        # character before the exact domain (OCR reads "obs@" as "obS@" or "ohs@").
        joined = "".join(local)
        slips = "|".join(
            re.escape(joined[:k]) + r"\w" + re.escape(joined[k + 1 :]) for k in range(len(joined))
        )
        tail = r"\s+(?:at\s+)?" + r"\s+(?:dot\s+)?".join(map(re.escape, domain))
        exact = r"\s*".join(map(re.escape, local))
        pattern = rf"(?<![\w])(?:{exact}|{slips}){tail}(?![\w])"
        out.append(Needle("email", re.compile(pattern), None))
    return out


# Words that introduce a unit ("Apt 4B", "Suite 200", "# 12"), folded as address_key folds.
UNIT_WORDS = ("apt", "ste", "unit", "no", "rm", "room", "bldg", "fl", "lot", "space", "spc")
_SPELLED = {short: long for long, short in ABBREVIATIONS.items() if long != short}
_SPELLED["ave"] = "avenue|av"
DIRECTIONS = {"n", "s", "e", "w", "ne", "nw", "se", "sw"}
STREET_TYPES = {"st", "ave", "rd", "dr", "ln", "blvd", "ct", "pl", "pkwy", "hwy", "cir", "ter",
                "way", "trl", "loop", "sq", "aly"}  # fmt: skip


@dataclass(frozen=True)
class StreetAddress:
    """The street line of an address, folded: what locates a home."""

    number: str
    direction: str | None
    street: tuple[str, ...]  # the name's words, type included ("oak", "ave")
    unit: str | None

    def same_place(self, other: StreetAddress) -> bool:
        """Whole-address comparison (house number, direction, street name, unit): neighbours
        on a grid share the first two words and must not compare equal."""
        return self == other


def street_address(address: str) -> StreetAddress | None:
    """'100 N Oak Avenue Apt 4B, Los Gatos, CA' -> 100 / n / (oak, ave) / 4b; None when the
    first line does not start with a house number."""
    parts = [p.strip() for p in address.replace("\n", ",").split(",")]
    line = parts[0]
    # "100 Main St, Apt 2": a unit given after the comma is still the street line's.
    if len(parts) > 1 and re.match(
        r"(?i)(#|(apt|apartment|unit|suite|ste|no|room|rm)\b)", parts[1]
    ):
        line = f"{line} {parts[1]}"
    line = line.replace("#", " # ")
    tokens = address_key(line).split() if "#" not in line else _with_hash(line)
    if len(tokens) < 2 or not re.fullmatch(r"\d+[a-z]?", tokens[0]):
        return None
    number, rest = tokens[0], tokens[1:]
    direction = rest[0] if len(rest) > 1 and rest[0] in DIRECTIONS else None
    if direction:
        rest = rest[1:]
    street: list[str] = []
    unit = None
    for k, tok in enumerate(rest):
        if tok in UNIT_WORDS or tok == "#":
            unit = "".join(rest[k + 1 :]) or None
            break
        street.append(tok)
    if street and street[-1] in DIRECTIONS and len(street) > 1:  # "Oak Ave NW": a suffix
        street = street[:-1]
    if not street:
        return None
    return StreetAddress(number, direction, tuple(street), unit)


def _with_hash(line: str) -> list[str]:
    # address_key folds "#" away; keep it as a unit word.
    out: list[str] = []
    for part in line.split("#"):
        out.extend(address_key(part).split())
        out.append("#")
    return out[:-1]


def _alternatives(token: str) -> str:
    spelled = _SPELLED.get(token)
    alts = [re.escape(token), *(spelled.split("|") if spelled else [])]
    return "(?:" + "|".join(alts) + ")" if len(alts) > 1 else alts[0]


def address_needles(address: str) -> list[Needle]:
    """The house number with the whole street name ('100 [n|north] oak [ave|avenue] [apt 4b]'),
    never a prefix that a neighbour on a grid shares; and the unit with its designator."""
    where = street_address(address)
    if where is None:  # no house number: the street line as written
        tokens = address_key(address.split(",")[0]).split()
        return [Needle("address", _phrase(tokens), _squash_ok("".join(tokens)))] if tokens else []
    street_type = where.street[-1] if len(where.street) > 1 else None
    if street_type not in STREET_TYPES:
        street_type = None
    core = where.street[:-1] if street_type else where.street
    pattern = re.escape(where.number) + r"\s+"
    if where.direction:
        pattern += rf"(?:{_alternatives(where.direction)}\s+)?"
    pattern += r"\s+".join(_alternatives(t) for t in core)
    if street_type:
        pattern += rf"(?:\s+{_alternatives(street_type)})?"
    # "4B", "4-B" and "4 B" are one unit (folding turns the hyphen into a space).
    unit = r"\s?".join(map(re.escape, where.unit)) if where.unit else ""
    if unit:  # "... Ave #4B" folds to "... ave 4b": the unit joins the span when there
        pattern += rf"(?:\s+(?:{_unit_words()}\s+)?{unit})?"
    out = [
        Needle(
            "address",
            re.compile(r"(?<![\w])" + pattern + r"(?![\w])"),
            _squash_ok(where.number + "".join(core)),
        )
    ]
    if unit:
        out.append(
            Needle(
                "unit",
                re.compile(rf"(?<![\w])(?:{_unit_words(alone=True)})\s*{unit}(?![\w])"),
                None,
            )
        )
    return out


def _unit_words(alone: bool = False) -> str:
    """The designators, spelled out too. Away from the street ("alone"), "No. 2" is a record's
    or a page's number as often as a flat's: only the unambiguous words count there."""
    words = ["apartment", "suite", "number", *UNIT_WORDS]
    return "|".join(w for w in words if not (alone and w in ("no", "number")))


@dataclass(frozen=True)
class Identity:
    """What identifies one complainant. Never logged, never stored outside the complaint."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None

    @classmethod
    def of(cls, who: Any) -> Identity:
        """From the guard's `Complainant` (any object with the four fields)."""
        return cls(who.name, who.phone, who.email, who.address)

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
        if ch == "." and _DOTTED.match(text, max(i - 1, 0)) and i > 0:
            i += 1  # "L.L.C.": the abbreviation's letters as one word, as words() reads it
            continue
        if ch and ch not in APOSTROPHES:  # O'Brien -> obrien, as fold() does
            folded = _fold(ch.translate(_OWN_LETTERS)) if ch not in "#&" else _HASH
            if ch == "&":
                folded = _AND
            if ch in "#&" and out and out[-1] != " ":
                out.append(" ")
                where.append(i)
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
    return _merge([_with_prefix(text, span) for span in spans])


# What opens a phone number before its first digit: "(" of the area code, a "+1 " before it.
_PHONE_PREFIX = re.compile(r"(?:\+?1[\s.-]*)?\(\s*$|\+1[\s.-]*$|(?<!\d)1[.-]$")


def _with_prefix(text: str, span: tuple[int, int, str]) -> tuple[int, int, str]:
    """A phone's span from its opening bracket or country code on: '(' left alone would
    show that a number stood there."""
    a, b, kind = span
    if kind == "phone":
        m = _PHONE_PREFIX.search(text, max(a - 6, 0), a)
        if m:
            a = m.start()
    return a, b, kind


_PRIORITY = {"name": 0, "email": 1, "phone": 2, "address": 3, "unit": 4}


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans as one, named by the most identifying kind among them; a span inside
    another is named by that one ("maria@example.org" is an e-mail with a given name in it)."""
    out: list[tuple[int, int, str]] = []
    for a, b, kind in sorted(spans, key=lambda s: (s[0], -s[1])):
        if out and a <= out[-1][1]:
            pa, pb, pk = out[-1]
            if b <= pb:
                continue
            out[-1] = (pa, b, min(pk, kind, key=lambda k: _PRIORITY.get(k, 9)))
        else:
            out.append((a, b, kind))
    return out


def replace_spans(text: str, needles: list[Needle], label: str) -> tuple[str, list[str]]:
    """`text` with each identifier replaced by `[label]`; and the kinds replaced."""
    spans = find_spans(text, needles)
    for a, b, _ in reversed(spans):
        text = f"{text[:a]}[{label}]{text[b:]}"
    return text, [k for _, _, k in spans]


def same_building(home: StreetAddress, at: StreetAddress) -> bool:
    """House number, direction and street name all equal; the unit compared apart (a tenant of
    the property lives in the building, their unit is still their own)."""
    return (home.number, home.direction, home.street) == (at.number, at.direction, at.street) and (
        at.unit is None or home.unit == at.unit
    )


def needles_of(who: Any, property_address: str = "") -> list[Needle]:
    """The needles of `who` (the guard's Complainant, or a list of them: every complainant a
    view masks). Where a complainant lives at the property, its street address is the record's
    subject, not theirs (their unit stays masked)."""
    whos = list(who) if isinstance(who, list | tuple) else [who]
    at = street_address(property_address) if property_address else None
    out: list[Needle] = []
    for one in whos:
        if one is None:
            continue
        needles = Identity.of(one).needles()
        home = street_address(one.address) if one.address else None
        if home and at and same_building(home, at):
            needles = [n for n in needles if n.kind != "address"]
        out += needles
    return out


def mask(text: str, who: Any, label: str = "complainant", property_address: str = "") -> str:
    """`text` with every identifier of `who` (the guard's Complainant, or a list of them)
    replaced by `[label]`: what a page shows of a record before the complainant is shown
    through the guard."""
    if not text or not who:
        return text
    return replace_spans(text, needles_of(who, property_address), label)[0]
