"""What every request passes before a view reads it: routing's own answer first, a body of a
bounded size, JSON of a bounded depth, and ids no larger than a row can have.

Installed once by the application factory (`install`), before any route is added: the id bound
lives in the `int` converter itself, so `<int:...>` in every route, API and page alike, is
bounded without naming it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map

from docsvc.errors import DocsvcError, Invalid, TooLarge
from docsvc.validation import ID_MAX

# A JSON body or a page's form is a few kilobytes; only the multipart uploads carry files
# (MAX_CONTENT_LENGTH, sized for them, still bounds those).
BODY_LIMIT = 1024 * 1024
# No request the API takes nests deeper than a handful of levels; the parser recurses per level.
JSON_DEPTH = 32


def at_most(limit: int) -> str:
    """A regular expression for the whole numbers from 0 to `limit`: those with fewer digits,
    or as many and smaller at the first digit that differs (a number padded with zeros beyond
    the length of `limit` does not match)."""
    digits = str(limit)
    ways = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for at, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - at - 1
            ways.append(f"{digits[:at]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join([*ways, digits]) + ")"


class IdConverter(IntegerConverter):
    """werkzeug's `int` with a maximum, ID_MAX: a larger number in an address is no row's, so
    no route matches it (404) and it never reaches the database as an overflow (500). The
    bound is in the pattern, not only in `max`: werkzeug checks `max` after choosing the rule
    by method, and would answer 405 naming another method's rule at the same address."""

    regex = at_most(ID_MAX)

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)  # also what the OpenAPI document publishes
        super().__init__(map, *args, **kwargs)


def screen() -> None:
    """First for every request, before credentials, CSRF or body are read: routing's answer
    (404, or 405 naming the allowed methods) for an address or method no route takes; then a
    body that is not a multipart upload stays under BODY_LIMIT, refused by its declared size
    before any of it is read (a chunked one is read no further than the limit)."""
    if request.routing_exception is not None:
        raise request.routing_exception
    if request.mimetype != "multipart/form-data":
        request.max_content_length = BODY_LIMIT
        if (request.content_length or 0) >= BODY_LIMIT:
            raise _too_large()


def _too_large() -> TooLarge:
    return TooLarge(
        f"the request body reaches the {BODY_LIMIT // (1024 * 1024)} MB limit; send less "
        "(files go as multipart uploads, which have their own limit)."
    )


_SIGNIFICANT = re.compile(rb'[\[\]{}"\\]')


def too_deep(data: bytes, limit: int = JSON_DEPTH) -> bool:
    """Whether JSON text nests arrays and objects more than `limit` deep: one pass over its
    brackets, quotes and backslashes (strings skipped), stopping at the first level too deep.
    Linear, so it is safe to run on any body before the recursive parser sees it."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, -1
    for match in _SIGNIFICANT.finditer(data):
        at = match.start()
        if at == escaped:
            continue
        char = data[at]
        if in_string:
            if char == 0x5C:  # a backslash: the next character is escaped
                escaped = at + 1
            elif char == 0x22:
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in b"[{":
            depth += 1
            if depth > limit:
                return True
        elif char in b"]}":
            depth -= 1
    return False


def check_json_body() -> None:
    """A JSON body is read once, within BODY_LIMIT, and refused unless it nests at most
    JSON_DEPTH deep (400) and parses (422): the parser's RecursionError or ValueError (a number
    of more than 4300 digits) would otherwise be a 500. A NUL character in the query or the
    body is refused (422): PostgreSQL cannot store one, and it reached the database as a
    DataError (500). Call it after authentication."""
    if any("\x00" in value for value in request.args.values()):
        raise Invalid(
            "the address's query holds control characters (a NUL character, %00); remove them."
        )
    if not request.is_json:
        return
    try:
        data = request.get_data(cache=True)  # kept: the view's parser reads the same bytes
    except RequestEntityTooLarge:
        raise _too_large() from None
    if len(data) >= BODY_LIMIT:
        # A chunked body (no Content-Length) is cut at the limit without an error: reaching
        # the limit means there was more.
        raise _too_large()
    if not data:
        return
    if too_deep(data):
        raise DocsvcError(
            f"the JSON body nests arrays or objects more than {JSON_DEPTH} levels deep; "
            "send a flatter body."
        )
    try:
        json.loads(data)
    except RecursionError:  # not reachable within JSON_DEPTH; kept so it can never be a 500
        raise DocsvcError("the JSON body nests too deep; send a flatter body.") from None
    except ValueError as exc:
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise Invalid(
            f"the body is not well-formed JSON{where}; check its quotes, commas and brackets, "
            "and that numbers have fewer than 4300 digits."
        ) from None
    if b"\\u0000" in data:
        raise Invalid("the body holds control characters (a NUL character, \\u0000); remove them.")


def install(app: Flask) -> None:
    """Before any blueprint is registered: the bounded `int` converter, and `screen` as the
    first of the request hooks."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(screen)
