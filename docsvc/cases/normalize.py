"""Keys for matching people and addresses across cases despite spelling noise.

'O'Brien-Nguyễn, Mary' and 'mary obrien nguyen' share a key; '1418 Elm Street, Apt. 2' and
'1418 elm st apt 2' share a key. The keys are for matching only, never shown.
"""

from __future__ import annotations

import re
import unicodedata

ABBREVIATIONS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "circle": "cir",
    "terrace": "ter",
    "apartment": "apt",
    "suite": "ste",
    "unit": "unit",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "number": "no",
}
# apostrophe, right and left single quotes, backtick, acute accent, modifier apostrophe
APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"


def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation to spaces, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("đ", "d").replace("Đ", "d").casefold()
    for ch in APOSTROPHES:
        text = text.replace(ch, "")  # O'Brien -> obrien, not "o brien"
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def name_key(name: str) -> str:
    """Order-insensitive: 'Nguyen, Mary' and 'Mary Nguyen' match."""
    return " ".join(sorted(fold(name).split()))


def address_key(address: str) -> str:
    words = fold(address).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)
