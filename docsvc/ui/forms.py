"""Browser forms -> the same dicts the API takes, validated by the same schemas.

A refused form comes back on its own page (4xx) with each message beside its field in the
field's own words and everything typed kept (`Spec`, `Bound`, `refuse`); a step that cannot be
undone asks first on a page of its own (`Ask`, `ask`), without JavaScript. The rules stay in
the schemas and services: this module only says which input a message belongs to and how
to say it to a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import g, render_template, request
from markupsafe import Markup, escape
from marshmallow import Schema, ValidationError, fields
from werkzeug.datastructures import MultiDict

from docsvc.errors import DocsvcError

CONFIRMED = "confirmed"  # the field a confirmation page adds: `confirmed=yes`


def local_to_iso(value: str, zone: ZoneInfo) -> str:
    """A datetime-local field ('2026-11-22T09:30') read in the jurisdiction's zone."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=zone).isoformat()
    except ValueError:
        return value  # let the schema say what is wrong with it


def local_now(zone: ZoneInfo) -> str:
    """Now as a datetime-local value in `zone` (a form's default for 'when')."""
    from docsvc.timeutil import utcnow

    return utcnow().astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def pick(form: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """Non-empty form values only: an empty optional field is 'not given'."""
    return {n: form.get(n, "").strip() for n in names if form.get(n, "").strip()}


# ---- what a form's fields are ---------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One input: its name in the form, its label, and where its value goes in the schema's
    data (`path`, dotted; more than one when the service files it under either)."""

    name: str
    label: str
    kind: str = "text"  # text, datetime, date, amount, number, email, tel, choice, check, file
    path: tuple[str, ...] = ()
    required: bool | None = None  # None: as the schema says
    hint: str = ""

    @property
    def paths(self) -> tuple[str, ...]:
        return self.path or (self.name,)


@dataclass(frozen=True)
class Spec:
    """A form's fields and the schema that validates what they build."""

    fields: tuple[Field, ...]
    schema: type[Schema] | None = None
    # What the form does, for the refused form's heading: "Not saved." ("Not printed." for a
    # form that only prints).
    verb: str = "saved"

    def get(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def at(self, path: str) -> Field | None:
        """The input a schema path (or a service's `details['field']`) belongs to."""
        for f in self.fields:
            if path in f.paths:
                return f
        # A list's item ('violation_ids.0') or a nested part ('complaint.complainant')
        # belongs to the input that owns the nearest enclosing path.
        parent = path.rpartition(".")[0]
        return self.at(parent) if parent else None

    def required(self, f: Field) -> bool:
        if f.required is not None:
            return f.required
        return self.schema is not None and _schema_requires(self.schema(), f.paths[0])


SPECS: dict[str, Spec] = {}


def register(name: str, spec: Spec) -> Spec:
    """A form's spec by name, for templates (`form_for(key, name)`). A name is one form's
    alone: a second page registering it would give the first page's form the second's
    labels (the request page's "close" once turned the case page's "Close as" into "reason")."""
    if name in SPECS and SPECS[name] is not spec:
        raise ValueError(f"a form named {name!r} is registered already")
    SPECS[name] = spec
    return spec


def _schema_requires(schema: Schema, path: str) -> bool:
    """Required all the way down: an optional group's required part is optional."""
    head, _, rest = path.partition(".")
    found = next(
        (fl for key, fl in schema.fields.items() if (fl.data_key or key) == head),
        None,
    )
    if found is None or not found.required:
        return False
    if not rest:
        return True
    return isinstance(found, fields.Nested) and _schema_requires(found.schema, rest)


# ---- the form on the page: values typed, errors by field --------------------------------------


class Bound:
    """A form as shown: its values (typed, or the defaults) and its errors by input."""

    def __init__(
        self,
        key: str,
        spec: Spec,
        values: Mapping[str, Any] | None = None,
        errors: Mapping[str, list[str]] | None = None,
        general: Iterable[str] = (),
        typed: bool = False,
    ) -> None:
        self.key = key
        self.spec = spec
        self._values = values if values is not None else {}
        self.errors = dict(errors or {})
        self.general = list(general)
        # What the person typed (refused, or back from a confirmation's Cancel), not defaults.
        self.typed = typed

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.general)

    @property
    def not_done(self) -> str:
        """The refused form's heading: what did not happen ('Not saved.')."""
        return f"Not {self.spec.verb}."

    def id(self, name: str) -> str:
        return f"{self.key}-{name}"

    def label(self, name: str) -> str:
        f = self.spec.get(name)
        return f.label if f else name

    def hint(self, name: str) -> str:
        f = self.spec.get(name)
        return f.hint if f else ""

    def required(self, name: str) -> bool:
        f = self.spec.get(name)
        return f is not None and self.spec.required(f)

    def value(self, name: str, default: str = "") -> str:
        v = self._values.get(name, default)
        return "" if v is None else str(v)

    def values(self, name: str) -> list[str]:
        if isinstance(self._values, MultiDict):
            return [str(v) for v in self._values.getlist(name)]
        v = self._values.get(name)
        return (
            [str(x) for x in v]
            if isinstance(v, list | tuple | set)
            else ([] if v is None else [str(v)])
        )

    def checked(self, name: str) -> bool:
        return self._values.get(name) in ("on", True, "true", "yes")

    def error(self, name: str) -> str:
        return " ".join(self.errors.get(name, []))

    def attrs(self, name: str) -> Markup:
        """name, id, required and the ARIA wiring of an input."""
        parts = [f'name="{escape(name)}"', f'id="{escape(self.id(name))}"']
        if self.required(name):
            parts.append("required")
        described = []
        if self.hint(name):
            described.append(f"{self.id(name)}-hint")
        if name in self.errors:
            parts.append('aria-invalid="true"')
            described.insert(0, f"{self.id(name)}-error")
        if described:
            parts.append(f'aria-describedby="{escape(" ".join(described))}"')
        return Markup(" ".join(parts))

    def summary(self) -> list[dict[str, str]]:
        """The top-of-page list: each field's message with a link to it, then the rest."""
        out = [
            {"href": f"#{self.id(f.name)}", "text": f"{f.label}: {self.error(f.name)}"}
            for f in self.spec.fields
            if f.name in self.errors
        ]
        return out + [{"href": "", "text": m} for m in self.general]


def refused(
    key: str,
    spec: Spec,
    problem: ValidationError | DocsvcError | Mapping[str, Any] | str,
    values: Mapping[str, Any] | None = None,
) -> Bound:
    """The form as refused: each message under its input, in words, what was typed kept.
    It becomes the page's refused form (`g.ui_form`): templates find it by key."""
    bound = _bind(key, spec, problem, values)
    g.ui_form = bound
    return bound


def _bind(
    key: str,
    spec: Spec,
    problem: ValidationError | DocsvcError | Mapping[str, Any] | str,
    values: Mapping[str, Any] | None,
) -> Bound:
    bound = Bound(key, spec, request.form if values is None else values, typed=True)
    if isinstance(problem, ValidationError):
        _file(bound, problem.messages)
    elif isinstance(problem, DocsvcError):
        details = problem.details or {}
        where = details.get("field")
        if isinstance(details.get("fields"), dict):
            # A document's own fields, as their schema refused them.
            _file(bound, {"fields": details["fields"]})
        elif where and spec.at(str(where)):
            f = spec.at(str(where))
            assert f is not None
            bound.errors.setdefault(f.name, []).append(_in_words(spec, f, problem.message))
        elif (lead := re.match(r"([a-z_.]+): (.+)", problem.message, re.S)) and spec.at(
            lead.group(1)
        ):
            # A service's 'key: what to do' sentence belongs beside that key's input.
            f = spec.at(lead.group(1))
            assert f is not None
            bound.errors.setdefault(f.name, []).append(_in_words(spec, f, lead.group(2)))
        else:
            bound.general.append(_keys_to_labels(spec, problem.message))
    elif isinstance(problem, str):
        bound.general.append(problem)
    else:
        _file(bound, problem)
    return bound


def _file(bound: Bound, messages: Any, prefix: str = "") -> None:
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = prefix if key == "_schema" else (f"{prefix}.{key}" if prefix else str(key))
            _file(bound, value, path)
    elif isinstance(messages, list):
        for value in messages:
            _file(bound, value, prefix)
    else:
        f = bound.spec.at(prefix) if prefix else None
        if f is None:
            text = _keys_to_labels(bound.spec, str(messages))
            bound.general.append(f"{_words(prefix)}: {text}" if prefix else text)
        else:
            bound.errors.setdefault(f.name, []).append(_in_words(bound.spec, f, str(messages)))


MISSING = (
    "Missing data for required field.",
    "Field may not be null.",
    "must not be empty.",
    "Not a valid string.",
)
WHAT_TO_ENTER = {
    "datetime": "enter a date and time",
    "date": "enter a date (year, month and day)",
    "amount": "enter an amount in dollars, like 125.50",
    "number": "enter a number",
    "email": "enter an email address, like name@example.org",
    "tel": "enter a telephone number",
    "choice": "choose one",
    "check": "tick at least one",
    "file": "choose a file",
}


def _in_words(spec: Spec, f: Field, message: str) -> str:
    """A message about `f` as a person reads it: what to do, not a field key."""
    if message in MISSING:
        return WHAT_TO_ENTER.get(f.kind, "fill this in")
    if message.startswith("Not a valid") or message == "Not a valid aware datetime.":
        return WHAT_TO_ENTER.get(f.kind, message)
    if message.startswith("Must be one of"):
        return "choose one of the options listed"
    if message == "Unknown field.":
        return "this is not a field of this form"
    own = "this date" if f.kind in ("date", "datetime") else "this"
    for key in sorted(f.paths, key=len, reverse=True):
        # A key reads as a code ('mailed_at'); a plain word ('statute') is the sentence's own.
        if "_" in key or "." in key:
            # "the receipt_file's content" reads "its content", never "the this's content".
            message = re.sub(rf"(?:\bthe\s+)?\b{re.escape(key)}'s\b", "its", message)
            message = re.sub(rf"\b{re.escape(key)}\b", own, message)
        elif message.startswith(f"{key} "):
            # Even a plain word is a key when it is the sentence's subject ('at must fall ...').
            message = own + message[len(key) :]
    return _keys_to_labels(spec, message[:1].lower() + message[1:])


def _keys_to_labels(spec: Spec, message: str) -> str:
    """Other fields' keys in a service's sentence ('is before assessed_on') by their label."""
    for f in spec.fields:
        for key in sorted(f.paths, key=len, reverse=True):
            if "_" in key or "." in key:
                message = re.sub(rf"\b{re.escape(key)}\b", f"“{f.label}”", message)
    return message


def _words(path: str) -> str:
    return path.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def load(
    schema: Schema, data: dict[str, Any], key: str = "", spec: Spec | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """The schema's data, or None and the messages; with a `spec` the messages are also
    filed under their inputs as the page's refused form."""
    try:
        return schema.load(data), []
    except ValidationError as exc:
        bound = _bind("form", Spec(()), exc, {}) if spec is None else refused(key, spec, exc)
        return None, [s["text"] for s in bound.summary()]


def kept(key: str, spec: Spec, values: Mapping[str, Any] | None = None) -> Bound:
    """The form as typed, nothing refused (back from a confirmation's Cancel): the page's
    form `key` shows what was sent."""
    bound = Bound(key, spec, request.form if values is None else values, typed=True)
    g.ui_form = bound
    return bound


def bound_form() -> Bound | None:
    """The refused form of this request, if any."""
    return g.get("ui_form")


def form_for(key: str, spec: Spec | str, defaults: Mapping[str, Any] | None = None) -> Bound:
    """The form `key` for a template: as refused on this request, or fresh with `defaults`."""
    mine = bound_form()
    if mine is not None and mine.key == key:
        return mine
    return Bound(key, SPECS[spec] if isinstance(spec, str) else spec, defaults or {})


# ---- confirming what cannot be undone ---------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """What a confirmation page asks: the question naming the step and its object, what
    follows from it, and the words on the button that does it."""

    question: str
    consequence: str
    yes: str


def confirmed() -> bool:
    return request.form.get(CONFIRMED) == "yes"


def cancelled() -> bool:
    """Cancel pressed on a confirmation that carries the form back (`ask(..., keep=True)`)."""
    return request.form.get(CONFIRMED) == "no"


CANCELLED = "Not done: nothing was changed. The form is as you left it."


def ask(question: Ask, cancel: str, keep: bool = False) -> tuple[str, int]:
    """The confirmation page: the same POST again, its fields carried as hidden inputs, with
    `confirmed=yes` (and a fresh CSRF token); Cancel goes back without doing anything: to
    `cancel`, or with `keep` (a form with typed input) the same POST with `confirmed=no`, for
    the route to show its form again with everything typed (`cancelled`, `kept`)."""
    carried = [
        (k, v) for k, vs in request.form.lists() if k not in ("csrf_token", CONFIRMED) for v in vs
    ]
    return render_template(
        "confirm.html",
        ask=question,
        action=request.full_path.rstrip("?"),
        carried=carried,
        cancel=cancel,
        keep=keep,
    ), 200
