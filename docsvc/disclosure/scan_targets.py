"""What the leak scanner looks for: the complainant's identifiers as the case record holds them,
and the matching that finds them in text however a file mangles it.

Deliberately its own code: it reads the complaint through the identity guard, never the
redaction's needles, and it folds text and parses addresses without the redaction's helpers
(docsvc.identity.needles, docsvc.cases.normalize). A mistake there (an identifier dropped
as "public", a pattern too narrow) would otherwise be made twice, and the scanner would pass
what the redaction missed. The one thing skipped is what a records clerk confirmed is public
in the record (`waived`).

A text is read as tokens: accents, case and punctuation folded, apostrophes dropped
(O'Brien-Nguyễn, OBRIEN NGUYEN and o brien nguyen read alike), line-break hyphens and
invisible joiners removed, and a lower-to-upper case change taken as a word break. A target of
five or more letters and digits is looked for in the tokens joined with no space at all (what
defeats letters set one at a time: "M a r i a"), and must begin and end where a token does (or
where letters meet digits), so "to Brien" is not "obrien" and "2100 N Oak" is not "100 N Oak".
A shorter target must be whole words, in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.identity.guard import for_processing, others_about_the_property
from docsvc.models import Case, Property

KINDS = ("name", "phone", "email", "address", "unit")
MIN_JOINED = 5  # letters and digits: shorter targets are matched as whole words only

# Characters that join what is on either side: soft hyphen, pdfium's marks for a hyphen it
# removed at a line's end, zero-width space and joiners, word joiner, byte-order mark.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\x02\ufffe\u200b\u200c\u200d\u2060\ufeff"), None)
# apostrophe, right and left single quotes, backtick, acute accent, modifier apostrophe
_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018`\u00b4\u02bc"), None)
# Letters of their own that NFKD does not split into a letter and a mark.
_OWN_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
     "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D", "đ": "d", "Đ": "D", "\u0131": "i", "ß": "ss",
     # Lookalikes from other scripts ("Ottoline" spelled with a Cyrillic O), as a reader sees them.
     **dict(zip("\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0406\u03bf\u03b1\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5\u0391\u0392\u0395\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a7",
                "aeopcyxijshABEKMHOPCTXIoaeikvptuABEHIKMNOPTX", strict=True))}
)  # fmt: skip
_LINE_HYPHEN = re.compile(r"(?<=\w)[-\u2010\u2011]\s*\n\s*(?=\w)")
_CAMEL = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de])")
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SEPARATORS = re.compile(r"(?:[^\w#]|_)+")
# "L.L.C." is one word, "llc": a period between single letters is no separator.
_ABBREVIATION = re.compile(r"\b(?:[^\W_]\.){2,}(?![^\W_])")

# Address words as people write them, each with every spelling that means the same.
_DIRECTIONS = {
    "n": ("n", "north"), "s": ("s", "south"), "e": ("e", "east"), "w": ("w", "west"),
    "ne": ("ne", "northeast"), "nw": ("nw", "northwest"),
    "se": ("se", "southeast"), "sw": ("sw", "southwest"),
}  # fmt: skip
_STREET_TYPES = {
    "st": ("st", "street", "str"), "ave": ("ave", "avenue", "av"), "rd": ("rd", "road"),
    "dr": ("dr", "drive"), "ln": ("ln", "lane"), "blvd": ("blvd", "boulevard"),
    "ct": ("ct", "court"), "pl": ("pl", "place"), "pkwy": ("pkwy", "parkway"),
    "hwy": ("hwy", "highway"), "cir": ("cir", "circle"), "ter": ("ter", "terrace"),
    "way": ("way",), "trl": ("trl", "trail"), "loop": ("loop",), "sq": ("sq", "square"),
    "aly": ("aly", "alley"), "cv": ("cv", "cove"), "xing": ("xing", "crossing"),
}  # fmt: skip
# Designators that introduce a unit, and those a unit is written with when looked for.
_UNIT_WORDS = {"apt", "apartment", "unit", "ste", "suite", "#", "no", "number", "rm", "room",
               "bldg", "building", "fl", "floor", "lot", "space", "spc", "trlr"}  # fmt: skip
_UNIT_FORMS = ("apt", "apartment", "unit", "#", "ste", "suite")  # not "No. 4B": an exhibit too
# Shortest given name looked for on its own: most are five letters or fewer (Juan, Zelda).
# "Al", "Jo", "Ed" alone would be every "et al." and the state code AL: the full name and the
# surname still are looked for.
MIN_GIVEN_NAME = 3
MIN_SPELLED_PLACE = 4  # shortest street type taken as one when its glyphs are set apart
_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "rev", "prof", "sir", "dame"}
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}
# A business's name is often written without its legal form ("Smith and Sons" for "... LLC").
_LEGAL_FORMS = {"llc", "inc", "co", "corp", "ltd", "lp", "llp", "pllc", "company",
                "corporation", "incorporated", "limited"}  # fmt: skip
_SHARED_MAILBOXES = {"info", "admin", "contact", "mail", "office", "hello", "support", "sales",
                     "noreply", "webmaster", "postmaster", "reception"}  # fmt: skip


def _spelled(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {spelling: key for key, spellings in table.items() for spelling in spellings}


_DIRECTION_OF = _spelled(_DIRECTIONS)
_STREET_TYPE_OF = _spelled(_STREET_TYPES)


def tokens(text: str) -> list[str]:
    """The folded words of `text`: 'Maria O\u2019Bri-\\nen' -> ['maria', 'obrien']."""
    text = text.translate(_INVISIBLE)
    text = _LINE_HYPHEN.sub("", text)
    text = _CAMEL.sub(" ", text)
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    # "Smith & Sons" and "Smith and Sons" are one name.
    text = text.replace("#", " # ").replace("&", " and ").translate(_OWN_LETTERS)
    if not text.isascii():
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
    text = text.casefold().translate(_APOSTROPHES)
    return _spoken_digits([t for t in _SEPARATORS.split(text) if t])


# Digits written as words ("nine zero three, five five five ..."): a phone number read out.
_DIGIT_WORDS = {
    w: str(d)
    for d, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    )
}
_DIGIT_WORDS["oh"] = "0"
_MIN_SPOKEN_RUN = 3  # shorter runs are ordinary prose ("one or two")


def _spoken_digits(words: list[str]) -> list[str]:
    """Runs of three or more digit words read as the digits they spell, one token for one."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        spoken = sum(x in _DIGIT_WORDS for x in run) >= _MIN_SPOKEN_RUN
        out.extend(_DIGIT_WORDS.get(x, x) if spoken else x for x in run)
        run.clear()

    for w in words:
        if w in _DIGIT_WORDS or (run and w.isdigit()):
            run.append(w)
        else:
            flush()
            out.append(w)
    flush()
    return out


def _kind_of(ch: str) -> int:
    return 0 if ch.isdigit() else 1 if ch.isalpha() else 2


@dataclass(frozen=True)
class Target:
    """One form of one identifier, as folded words; never logged or shown."""

    kind: str
    words: tuple[str, ...]
    # Words that, right after a match, make it someone else's: "100 N Oak" is not the
    # complainant's "100 N Oak Avenue" when "Street" follows.
    not_before: frozenset[str] = frozenset()
    # A form no word list can say (one character misread): matched over the joined letters.
    pattern: re.Pattern[str] | None = None

    @property
    def joined(self) -> str:
        return "".join(self.words)

    @property
    def short(self) -> bool:
        return sum(ch.isalnum() for ch in self.joined) < MIN_JOINED


class Reading:
    """One text as the scanner matches it: its tokens, and the tokens joined with no space
    with where each token starts and ends in the joined form."""

    def __init__(self, text: str) -> None:
        self.tokens = tokens(text)
        self.spaced = f" {' '.join(self.tokens)} "
        self.joined = "".join(self.tokens)
        self.starts: dict[int, int] = {}
        self.ends: set[int] = set()
        at = 0
        for n, token in enumerate(self.tokens):
            self.starts[at] = n
            at += len(token)
            self.ends.add(at)

    def _starts_word(self, i: int) -> bool:
        s = self.joined
        return i in self.starts or _kind_of(s[i - 1]) != _kind_of(s[i])

    def _ends_word(self, j: int) -> bool:
        s = self.joined
        return j in self.ends or j == len(s) or _kind_of(s[j - 1]) != _kind_of(s[j])

    def _next_word(self, j: int) -> str | None:
        n = self.starts.get(j)
        return self.tokens[n] if n is not None else None

    def _followed_by(self, j: int, words: frozenset[str]) -> bool:
        if self._next_word(j) in words:
            return True
        # Glyphs set one at a time with no gap between words ("M a r i a S t r e e t"): the
        # next word spelled out in full. Not an abbreviation: "St" begins too many words.
        return any(
            len(w) >= MIN_SPELLED_PLACE
            and self.joined.startswith(w, j)
            and self._ends_word(j + len(w))
            for w in words
        )

    def holds(self, target: Target) -> bool:
        if target.pattern is not None:
            return target.pattern.search(self.joined) is not None
        if target.short:
            phrase = f" {' '.join(target.words)} "
            at = self.spaced.find(phrase)
            while at >= 0:
                following = self.spaced[at + len(phrase) :].split(" ", 1)[0]
                if following not in target.not_before:
                    return True
                at = self.spaced.find(phrase, at + 1)
            return False
        form = target.joined
        i = self.joined.find(form)
        while i >= 0:
            j = i + len(form)
            if (
                self._starts_word(i)
                and self._ends_word(j)
                and not self._followed_by(j, target.not_before)
                # "M a r i a S t r e e t" also holds the possessive "marias": its "s" is the
                # street's.
                and not (form.endswith("s") and self._followed_by(j - 1, target.not_before))
            ):
                return True
            i = self.joined.find(form, i + 1)
        return False


class Targets:
    """Every form of every identifier to look for in a package (deduplicated)."""

    def __init__(self, targets: Iterable[Target] = ()) -> None:
        self._targets = tuple(dict.fromkeys(targets))

    def __iter__(self) -> Iterator[Target]:
        return iter(self._targets)

    def __len__(self) -> int:
        return len(self._targets)

    def __bool__(self) -> bool:
        return bool(self._targets)

    def __or__(self, other: Targets) -> Targets:
        return Targets((*self._targets, *other._targets))

    def __repr__(self) -> str:  # the kinds only: a target's words identify the complainant
        return f"Targets({len(self)} forms of {', '.join(sorted(self.kinds)) or 'nothing'})"

    @property
    def kinds(self) -> set[str]:
        return {t.kind for t in self._targets}

    def kinds_in(self, text: str, *, raw: bool = False) -> set[str]:
        """Which kinds of identifier `text` holds (never which value, never where). `raw`: the
        text is a file's bytes read as text, where "#" is syntax, never a unit's sign."""
        if not text or not self._targets:
            return set()
        reading = Reading(text)
        found: set[str] = set()
        for target in self._targets:
            if raw and "#" in target.words:
                continue
            if target.kind not in found and reading.holds(target):
                found.add(target.kind)
        return found

    @classmethod
    def of(
        cls,
        name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        address: str | None = None,
        *,
        skip: Iterable[str] = (),
    ) -> Targets:
        """The targets for one complainant, less the kinds in `skip` (confirmed public)."""
        found = [
            *(name_targets(name) if name else []),
            *(phone_targets(phone) if phone else []),
            *(email_targets(email) if email else []),
            *(address_targets(address) if address else []),
        ]
        skipped = set(skip)
        return cls(t for t in found if t.kind not in skipped)


def targets_for(
    session: Session,
    case_ids: Iterable[int],
    waived: Mapping[int, set[str]] | None = None,
    own: set[int] | None = None,
) -> Targets:
    """The identifiers of each case's complainant, from the stored complaint (none for an
    anonymous one), less the kinds a clerk confirmed are public in that case's record (only
    for the cases in `own`, when given: the others disclose theirs); and of the complainants
    of the other complaints about each case's property."""
    out = Targets()
    for case_id in dict.fromkeys(case_ids):
        who = for_processing(session, case_id) if own is None or case_id in own else None
        if who is not None:
            skip = (waived or {}).get(case_id, set())
            out = out | Targets.of(who.name, who.phone, who.email, who.address, skip=skip)
        # The other complainants about the property: no exception reaches them, but one who
        # lives at the property leaves its street address public (the record's subject).
        others = others_about_the_property(session, case_id)
        if others:
            at = parse_street(
                session.scalar(
                    select(Property.address)
                    .join(Case, Case.property_id == Property.id)
                    .where(Case.id == case_id)
                )
                or ""
            )
            for o in others:
                home = parse_street(o.address) if o.address else None
                lives_there = bool(home and at and (home.number, home.name) == (at.number, at.name))
                skip = {"address"} if lives_there else set()
                out = out | Targets.of(o.name, o.phone, o.email, o.address, skip=skip)
    return out


# --- the identifiers -----------------------------------------------------------------------


def name_targets(name: str) -> list[Target]:
    """The full name; surname first; the surname alone and each of its words of 4+ letters.
    'Nguyen, Maria' is read as surname, given names."""
    surname_part, comma, given_part = name.partition(",")
    if not comma:
        surname_part, given_part = "", name
    words = [tokens(w) for w in given_part.split()]
    words = [w for w in words if w and w[-1] not in _NAME_SUFFIXES]
    if comma:
        given = [t for w in words for t in w]
        last = surname = tokens(surname_part)
    else:  # every word after the first is taken as the surname's: the safe side
        given = words[0] if words else []
        surname = [t for w in words[1:] for t in w]
        last = words[-1] if len(words) > 1 else []
    if given and surname and given[0] in _HONORIFICS and len(given) > 1:
        given = given[1:]  # "Mrs Zelda Quackenbush": Zelda
    elif len(words) > 2 and not comma and words[0][-1] in _HONORIFICS:
        given, surname = words[1], [t for w in words[2:] for t in w]
    full = [*given, *surname]
    if not full:
        return []
    forms = [tuple(full)]
    if len(full) > 2 and full[-1] in _LEGAL_FORMS:
        forms.append(tuple(full[:-1]))
    if given and surname:
        forms.append((*surname, *given))
        forms.append((given[0], *last))  # the middle names left out
    if surname and len("".join(surname)) >= 4:
        forms.append(tuple(surname))
    forms.extend((word,) for word in surname if len(word) >= 4)
    out = [Target("name", f) for f in dict.fromkeys(forms) if f]
    # The given name alone, whatever its length ("called back Zelda"); not where a street type
    # follows it: "12 Maria Street" is the property's address, not the complainant.
    if given and surname and len(given[0]) >= MIN_GIVEN_NAME:
        out.append(Target("name", (given[0],), _PLACE_WORDS))
    # Apostrophes fold away: "Lopez's" is the token "lopezs", each form's possessive.
    out += [Target("name", (*t.words[:-1], t.words[-1] + "s"), t.not_before) for t in list(out)]
    return out


_PLACE_WORDS = frozenset(_STREET_TYPE_OF)


def phone_targets(phone: str) -> list[Target]:
    """The digits in any format: with or without the country code; and for a ten-digit
    number the seven-digit local number, as it is dialled without its area code."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) < 7:
        return []
    forms = [digits]
    if len(digits) == 10:
        forms += ["1" + digits, digits[3:]]
    return [Target("phone", (f,)) for f in forms]


def email_targets(email: str) -> list[Target]:
    """The whole address, and its local part when that has four or more characters and is not
    a mailbox anybody has ("info@", "office@": the whole address still counts)."""
    out = [Target("email", tuple(tokens(email)))] if tokens(email) else []
    local = tokens(email.split("@", 1)[0])
    if local and len("".join(local)) >= 4 and "".join(local) not in _SHARED_MAILBOXES:
        out.append(Target("email", tuple(local)))
    domain = tokens(email.split("@", 1)[1]) if "@" in email else []
    if local and domain:
        # Spelled out ("obs [at] example [dot] net"), and misread by one character before the
        # exact domain, as OCR reads "obs@" ("obS@", "ooS@").
        dotted = [w for d in domain for w in (d, "dot")][:-1]
        out.append(Target("email", (*local, "at", *dotted)))
        joined = "".join(local)
        slips = "|".join(
            re.escape(joined[:k]) + "[a-z0-9]" + re.escape(joined[k + 1 :])
            for k in range(len(joined))
        )
        out.append(Target("email", (), pattern=re.compile(f"(?:{slips}){''.join(domain)}")))
    return out


@dataclass(frozen=True)
class StreetLine:
    number: str
    direction: str | None  # its key: n, s, ne...
    name: tuple[str, ...]  # the street's own name, type and direction suffix left out
    street_type: str | None  # its key: st, ave...
    unit: tuple[str, ...]


def parse_street(address: str) -> StreetLine | None:
    """'100 N Oak Avenue Apt 4B, Los Gatos' -> 100 / n / (oak,) / ave / (4b,); None when the
    first line does not start with a house number."""
    parts = [p for p in re.split(r"[,\n]", address) if p.strip()]
    if not parts:
        return None
    words = tokens(parts[0])
    unit: list[str] = []
    for k, word in enumerate(words):
        if k > 1 and word in _UNIT_WORDS:
            words, unit = words[:k], words[k + 1 :]
            break
    if not unit:  # '100 N Oak Ave, Apt 4B': the unit on a part of its own
        for part in parts[1:]:
            rest = tokens(part)
            if len(rest) > 1 and rest[0] in _UNIT_WORDS:
                unit = rest[1:]
                break
    if len(words) < 2 or not re.fullmatch(r"\d+[a-z]?", words[0]):
        return None
    number, street = words[0], words[1:]
    direction = _DIRECTION_OF.get(street[0]) if len(street) > 1 else None
    if direction:
        street = street[1:]
    if len(street) > 1 and street[-1] in _DIRECTION_OF:  # 'Oak Ave NW': a suffix
        street = street[:-1]
    street_type = _STREET_TYPE_OF.get(street[-1]) if len(street) > 1 else None
    if street_type:
        street = street[:-1]
    return StreetLine(number, direction, tuple(street), street_type, tuple(unit))


def address_targets(address: str) -> list[Target]:
    """The house number with the whole street name (direction spelled either way or left
    out, street type optional, another street type after it not a match); never a prefix a
    neighbour shares. The unit with each of its designators, as its own kind."""
    line = parse_street(address)
    if line is None:  # no house number (a post office box, a rural route): the line whole
        first = tokens(re.split(r"[,\n]", address)[0])
        return [Target("address", tuple(first))] if len(first) > 1 else []
    others = frozenset(
        s for key, spellings in _STREET_TYPES.items() if key != line.street_type for s in spellings
    )
    if not line.street_type:
        others = frozenset()
    directions = _DIRECTIONS[line.direction] + ("",) if line.direction else ("",)
    out = [
        Target("address", tuple(w for w in (line.number, d, *line.name) if w), others)
        for d in directions
    ]
    if line.unit:
        out += [Target("unit", (word, *line.unit)) for word in _UNIT_FORMS]
    return out
