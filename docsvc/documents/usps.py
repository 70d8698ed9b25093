"""USPS article numbers: PS Form 3800/3811 (20 digits) and IMpb (22 digits), check digit checked.

Both end in a USPS Mod 10 check digit: from the right, excluding the check digit, weights
alternate 3, 1, 3, ...; the check digit brings the sum to a multiple of ten.
"""

from __future__ import annotations

import re


def normalise(article: str) -> str:
    return re.sub(r"[\s-]", "", article)


def check_digit(body: str) -> int:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def validate(article: str) -> str | None:
    """The normalised number, or None when it is not a valid USPS article number."""
    digits = normalise(article)
    if not digits.isdigit() or len(digits) not in (20, 22):
        return None
    if check_digit(digits[:-1]) != int(digits[-1]):
        return None
    return digits
