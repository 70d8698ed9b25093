"""Mailing issued notices: the certified-mail cover sheet (the recipient's address placed for a
#10 window envelope, the USPS article number in groups and as a Code 128 barcode) and sheets of
mailing labels for a batch.

Printing is a read: nothing here records service. The article number comes from the recorded
certified mailing when there is one; before the mailing is recorded, the officer types the number
from the PS Form 3800 label (checked by `usps.validate`, never stored here). The mailing is
recorded afterwards, as ever, by `serving.record_service`.

A document addressed to the complainant carries their identity: printing it is a view, checked
and audited by `identity/guard.py` (`view_identity_now`: the audit row is committed in a
transaction of its own before the PDF is sent; printing is a read). A document served on the
respondent names the party it was issued to, frozen in its context; the complainant is never on
it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import barcode  # type: ignore[import-untyped]
import pikepdf
from barcode.writer import SVGWriter  # type: ignore[import-untyped]
from markupsafe import Markup
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from docsvc.auth.permissions import allowed
from docsvc.auth.scope import within
from docsvc.cases.service import case_profile
from docsvc.db import Database
from docsvc.documents import naming, templates, usps
from docsvc.documents.context import letters_of
from docsvc.documents.env import Env
from docsvc.documents.pdf import html_environment, write_pdf
from docsvc.documents.serving import check_method
from docsvc.errors import Conflict, Forbidden, Invalid
from docsvc.identity import guard
from docsvc.models import Case, Document, ServiceRecord, User
from docsvc.profiles.model import Profile

CERTIFIED = "certified_mail"
MAX_LABELS = 300  # ten sheets: a day's mailing, with room to spare
MAX_COVERS = 50
ARTICLE_HELP = (
    "Type the article number from the certified-mail label (PS Form 3800): 20 digits, or 22 "
    "for an IMpb label, as printed under its barcode."
)

# Avery 5160 / 8160 (Avery's template specification): US letter, 3 columns x 10 rows of
# 2.625 in x 1 in labels; top and bottom margins 0.5 in, side margins 0.1875 in, 0.125 in
# between columns and none between rows: 0.1875 * 2 + 2.625 * 3 + 0.125 * 2 = 8.5 in wide,
# 0.5 * 2 + 1 * 10 = 11 in high.
COLUMNS, ROWS = 3, 10
LABEL: dict[str, float] = {
    "width": 2.625,
    "height": 1.0,
    "left": 0.1875,
    "top": 0.5,
    "pitch_x": 2.75,
    "pitch_y": 1.0,
}
PER_SHEET = COLUMNS * ROWS

# The barcode: USPS Publication 199 asks for a 0.013-0.021 in narrow bar and bars at least
# 0.75 in high with 0.125 in of clear space either side; 0.38 mm (0.015 in) by 19 mm.
BAR_MODULE_MM = 0.38
BAR_HEIGHT_MM = 19.0
BAR_QUIET_MM = 4.0


@dataclass(frozen=True)
class Label:
    """One label: the addressee's name and USPS-style lines, and the article number if known."""

    name: str
    lines: list[str]
    article: str | None = None


@dataclass
class Piece:
    """One notice to mail, as a cover sheet prints it."""

    doc: Document
    case: Case
    profile: Profile
    addressee: Label
    title: str
    number: str
    article: str
    barcode: Markup = field(default_factory=lambda: Markup(""))


# --- the article number -------------------------------------------------------------------


def grouped(article: str) -> str:
    """As USPS prints it under the barcode: groups of four ('9407 1112 0620 8180 7023'; an
    IMpb number ends with a group of two)."""
    return " ".join(article[i : i + 4] for i in range(0, len(article), 4))


def checked(typed: str) -> str:
    """The typed number, normalised; 422 in words when it is not a USPS article number."""
    number = usps.validate(typed)
    if number is None:
        digits = usps.normalise(typed)
        why = (
            "it has letters or signs in it"
            if not digits.isdigit()
            else f"it has {len(digits)} digits"
            if len(digits) not in (20, 22)
            else "its last digit (the check digit) does not match: a digit was mistyped"
        )
        raise Invalid(
            f"'{typed[:40]}' is not a USPS article number: {why}. {ARTICLE_HELP}",
            {"field": "article"},
        )
    return number


def recorded_article(doc: Document) -> str | None:
    """The article number of the latest certified mailing recorded for `doc`, if any."""
    mailed = [s for s in doc.services if s.method == CERTIFIED and s.article_number]
    return mailed[-1].article_number if mailed else None


def _recorded_elsewhere(session: Session, user: User, number: str, doc: Document) -> str | None:
    """Whose mailing `number` is already recorded for, other than `doc`'s, in words ('Notice
    of Violation NOV-3 of case LG-2026-0001', or 'another notice' outside the user's
    jurisdictions); None when it is free. One PS Form 3800 label goes on one envelope."""
    other = session.scalar(
        select(ServiceRecord.document_id)
        .where(ServiceRecord.article_number == number, ServiceRecord.document_id != doc.id)
        .limit(1)
    )
    if other is None:
        return None
    seen = session.execute(
        select(Document, Case)
        .join(Case, Case.id == Document.case_id)
        .where(Document.id == other, within(user, Case.jurisdiction_code))
    ).first()
    if seen is None:
        return "another notice"
    return f"{title_of(session, seen[0], seen[1])} of case {seen[1].case_number}"


def articles(
    session: Session,
    user: User,
    wanted: list[tuple[Document, Case, str | None]],
    needed: bool = True,
) -> dict[int, str | None]:
    """Each document's article number: its recorded mailing's, else the one typed for it
    (checked); None where none is typed and `needed` is false (a label prints without one).
    Every problem is found before any is said: 422 naming each notice, with its message by
    document id (`details['articles']`), for a number missing, mistyped, other than the
    recorded one, already recorded for another notice's mailing, or typed for two notices."""
    out: dict[int, str | None] = {}
    problems: dict[int, str] = {}
    typed_ids: set[int] = set()  # numbers typed here, not recorded ones
    for doc, case, typed in wanted:
        title = title_of(session, doc, case)
        recorded = recorded_article(doc)
        typed = (typed or "").strip()
        if recorded is not None:
            if needed and typed and usps.validate(typed) != recorded:
                problems[doc.id] = (
                    f"{title}'s certified mailing is recorded with article number "
                    f"{grouped(recorded)}; leave its number empty to print that one."
                )
            out[doc.id] = recorded
            continue
        if not typed:
            if needed:
                problems[doc.id] = f"{title} needs its article number. {ARTICLE_HELP}"
            out[doc.id] = None
            continue
        # A label marked "Certified" for a notice its profile never sends that way would
        # mislead the post office and the record alike (a tester printed one for a courtesy
        # notice served only in person): refused, as the cover sheet refuses it.
        refusal = certified_refusal(session, doc, case)
        if refusal is not None:
            problems[doc.id] = (
                f"{title} is not sent by certified mail, so it takes no article number: {refusal}"
            )
            continue
        try:
            number = checked(typed)
        except Invalid as exc:
            problems[doc.id] = f"{title}: {exc.message}"
            continue
        elsewhere = _recorded_elsewhere(session, user, number, doc)
        if elsewhere is not None:
            problems[doc.id] = (
                f"article number {grouped(number)}, typed for {title}, is already recorded "
                f"for the mailing of {elsewhere}: one certified-mail label (PS Form 3800) "
                "goes on one envelope. Type the number from this notice's own label."
            )
            continue
        out[doc.id] = number
        typed_ids.add(doc.id)
    titles = {doc.id: title_of(session, doc, case) for doc, case, _ in wanted}
    by_number: dict[str, list[int]] = {}
    for doc_id, kept in out.items():
        if kept is not None and doc_id in typed_ids:
            by_number.setdefault(kept, []).append(doc_id)
    for number, ids in by_number.items():
        if len(ids) > 1:
            names = [titles[i] for i in ids]
            both = ("both " if len(names) == 2 else "each of ") + ", ".join(names[:-1])
            both += " and " + names[-1]
            for i in ids:
                problems.setdefault(
                    i,
                    f"article number {grouped(number)} is typed for {both}: one "
                    "certified-mail label (PS Form 3800) goes on one envelope. Type each "
                    "notice's own number.",
                )
    if problems:
        said = list(dict.fromkeys(problems.values()))
        raise Invalid(
            " ".join(m[:1].upper() + m[1:] for m in said),
            {"field": "article", "articles": {str(k): v for k, v in problems.items()}},
        )
    return out


def barcode_svg(article: str) -> Markup:
    """The article number as a Code 128 barcode (inline SVG: WeasyPrint draws it as vector
    bars, and fetches nothing). The digits are printed by the page, as text, under it."""
    out = io.BytesIO()
    barcode.Code128(article, writer=SVGWriter()).write(
        out,
        options={
            "module_width": BAR_MODULE_MM,
            "module_height": BAR_HEIGHT_MM,
            "quiet_zone": BAR_QUIET_MM,
            "write_text": False,
            "margin_top": 0,
            "margin_bottom": 0,
        },
    )
    svg = out.getvalue().decode("utf-8")
    # The XML declaration and doctype are for a file of its own, not an element in HTML.
    svg = re.sub(r"^.*?(?=<svg)", "", svg, flags=re.S)
    # Colours as attributes: WeasyPrint reads no CSS in an SVG's style attribute.
    svg = svg.replace('style="fill:black;"', 'fill="#000"').replace(
        'style="fill:white"', 'fill="#fff"'
    )
    return Markup(svg.replace("<svg ", '<svg class="barcode" role="img" ', 1))


# --- the address --------------------------------------------------------------------------

_CITY_LINE = re.compile(
    r"^(?P<city>.*?)[\s,]+(?P<state>[A-Za-z]{2})\.?\s+(?P<zip>\d{5}(?:-\d{4})?)$"
)
_STATE_ZIP = re.compile(r"^(?P<state>[A-Za-z]{2})\.?\s+(?P<zip>\d{5}(?:-\d{4})?)$")


def usps_lines(address_lines: list[str]) -> list[str]:
    """The delivery lines as USPS Publication 28 prefers them: capitals, no commas or periods,
    and the last line 'CITY ST ZIP' whole ('Springfield', 'ST 00000' -> 'SPRINGFIELD ST
    00000')."""
    parts = [p.strip() for line in address_lines for p in re.split(r"[,\n]", line) if p.strip()]
    if len(parts) >= 2 and _STATE_ZIP.match(parts[-1]):
        parts = [*parts[:-2], f"{parts[-2]} {parts[-1]}"]
    out = []
    for part in parts:
        m = _CITY_LINE.match(part)
        if m:
            part = f"{m['city']} {m['state']} {m['zip']}"
        out.append(re.sub(r"\s+", " ", re.sub(r"[.,]", "", part)).upper().strip())
    return [p for p in out if p]


def addressee(doc: Document) -> Label:
    """Whom the issued document is addressed to, as it was frozen at issue (the notice and its
    envelope agree). For a document to the complainant the caller has already passed the guard."""
    recipient = (doc.context or {}).get("recipient") or {}
    return Label(recipient.get("name", ""), usps_lines(recipient.get("address_lines") or []))


def to_complainant(doc: Document) -> bool:
    return doc.recipient_kind == "complainant"


def may_print(user: User, doc: Document) -> bool:
    """Whether `user`'s role may print what `doc` is addressed to (the complainant's identity
    only for a role that may see it)."""
    return not to_complainant(doc) or allowed(user.role, "complainant.view")


def _check_guard(user: User, case: Case, doc: Document) -> None:
    """Before anything is drawn: 403 for a role that may not see the identity a document to the
    complainant carries."""
    if to_complainant(doc):
        guard.check(user, case)


def _record_views(
    database: Database, user: User, shown: list[tuple[Document, Case]], where: str
) -> None:
    """Each document to the complainant about to be printed is a view of their identity: one
    audited view per case, committed before the PDF is sent (guard.view_identity_now)."""
    seen: set[int] = set()
    for doc, case in shown:
        if to_complainant(doc) and case.id not in seen:
            seen.add(case.id)
            guard.view_identity_now(database, user, case, where)


# --- what may be printed ------------------------------------------------------------------


def issued(doc: Document, case: Case, profile: Profile) -> None:
    """Only an issued document is mailed: a draft is not final, a superseded one was replaced."""
    title = naming.name(profile.document_types[doc.type]["title"], doc.id)
    if doc.status == "draft":
        raise Conflict(f"{title} is a draft: issue it before it is mailed.")
    if doc.status != "issued":
        raise Conflict(f"{title} was replaced by a correction; mail the correction instead.")


def mailable(session: Session, doc: Document, case: Case) -> None:
    """Issued, and of a type its profile lets go by certified mail (409, 422 in words)."""
    profile = case_profile(session, case)
    issued(doc, case, profile)
    check_method(profile, doc.type, CERTIFIED)


def piece(session: Session, user: User, doc: Document, case: Case, article: str) -> Piece:
    """One cover sheet's content, once the notice is `mailable` and its article number
    checked (`articles`): the guard passed for a document to the complainant."""
    profile = case_profile(session, case)
    _check_guard(user, case, doc)
    title = profile.document_types[doc.type]["title"]
    return Piece(
        doc,
        case,
        profile,
        addressee(doc),
        title,
        naming.number(title, doc.id),
        article,
        barcode_svg(article),
    )


def certified_refusal(session: Session, doc: Document, case: Case) -> str | None:
    """Why `doc` is not sent by certified mail under its profile, in words; None if it may be."""
    try:
        check_method(case_profile(session, case), doc.type, CERTIFIED)
    except Invalid as exc:
        return exc.message
    return None


def return_receipt_requested(profile: Profile) -> bool:
    """Certified mail takes effect on delivery 'per the return receipt' in every profile
    (deadlines.effective_service): the receipt is always asked for. A profile whose rule did
    without it would say so here."""
    return True


# --- PDFs ---------------------------------------------------------------------------------


def _search(codes: set[str], env: Env) -> list[Path]:
    """A jurisdiction's own templates first when the sheet is all of one jurisdiction; the
    shipped ones otherwise."""
    if len(codes) == 1:
        return templates.search_path(next(iter(codes)), env.settings.data_dir)
    return [templates.default_dir()]


def cover_sheets(
    database: Database,
    session: Session,
    env: Env,
    user: User,
    wanted: list[tuple[Document, Case, str | None]],
) -> bytes:
    """One cover sheet per document, in order, as one PDF (a page each). Each is checked
    before any is drawn, so a refusal names the document and nothing is half printed."""
    if not wanted:
        raise Invalid("choose at least one notice to print a cover sheet for.")
    if len(wanted) > MAX_COVERS:
        raise Invalid(f"print at most {MAX_COVERS} cover sheets at a time.")
    for doc, case, _ in wanted:
        mailable(session, doc, case)
    numbers = articles(session, user, wanted)
    pieces = [piece(session, user, doc, case, numbers[doc.id] or "") for doc, case, _ in wanted]
    _record_views(database, user, [(p.doc, p.case) for p in pieces], "mailing.cover_sheet")
    parts = []
    # Consecutive sheets of one jurisdiction share a render (and its own templates, if any).
    run: list[Piece] = []
    for p in [*pieces, None]:
        if run and (p is None or p.case.jurisdiction_code != run[0].case.jurisdiction_code):
            parts.append(_render_covers(run, env))
            run = []
        if p is not None:
            run.append(p)
    return parts[0] if len(parts) == 1 else _joined(parts)


def _render_covers(pieces: list[Piece], env: Env) -> bytes:
    code = pieces[0].case.jurisdiction_code
    search = _search({code}, env)
    html = (
        html_environment(search)
        .get_template("_mail/cover.html")
        .render(
            sheets=[
                {
                    "letterhead": p.profile.data["letterhead"],
                    "window": letters_of(p.profile)["window"],
                    "recipient": {"name": p.addressee.name, "lines": p.addressee.lines},
                    "article": p.article,
                    "article_grouped": grouped(p.article),
                    "barcode": p.barcode,
                    "return_receipt": return_receipt_requested(p.profile),
                    "case_number": p.case.case_number,
                    "title": p.title,
                    "number": p.number,
                    "issued_on": ((p.doc.context or {}).get("document") or {}).get("issued_on"),
                }
                for p in pieces
            ]
        )
    )
    return write_pdf(
        html, templates.find(code, env.settings.data_dir, "_mail/cover.css"), env.store
    )


def _joined(parts: list[bytes]) -> bytes:
    out = pikepdf.new()
    for data in parts:
        src = pikepdf.open(io.BytesIO(data))
        out.pages.extend(src.pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def cover_sheet(
    database: Database,
    session: Session,
    env: Env,
    user: User,
    doc: Document,
    case: Case,
    typed: str | None,
) -> bytes:
    """The certified-mail cover sheet of one issued document."""
    return cover_sheets(database, session, env, user, [(doc, case, typed)])


def labels_for(
    session: Session,
    user: User,
    wanted: list[tuple[Document, Case]],
    typed: dict[int, str] | None = None,
) -> list[Label]:
    """A label per issued document, in order, with its article number when known (recorded,
    or typed and checked). A document to the complainant is a view of their identity: refused
    (403, naming it) for a role that may not see it, else audited."""
    if not wanted:
        raise Invalid("choose at least one notice to print a label for.")
    if len(wanted) > MAX_LABELS:
        raise Invalid(
            f"print at most {MAX_LABELS} labels ({MAX_LABELS // PER_SHEET} sheets) at a time."
        )
    refused = [doc.id for doc, _ in wanted if not may_print(user, doc)]
    if refused:
        raise Forbidden(
            "your role may not see the complainant's identity, and "
            + ("documents " if len(refused) > 1 else "document ")
            + ", ".join(str(i) for i in refused)
            + " are addressed to the complainant: leave them out of the batch."
        )
    for doc, case in wanted:
        issued(doc, case, case_profile(session, case))
    numbers = articles(
        session, user, [(d, c, (typed or {}).get(d.id)) for d, c in wanted], needed=False
    )
    out = []
    for doc, case in wanted:
        _check_guard(user, case, doc)
        who = addressee(doc)
        out.append(Label(who.name, who.lines, numbers[doc.id]))
    return out


def label_sheet(labels: list[Label], env: Env) -> bytes:
    """Avery 5160/8160 sheets of `labels`, 30 a page, left to right then down."""
    if not labels:
        raise Invalid("choose at least one notice to print a label for.")
    cells: list[dict[str, Any]] = []
    for i, lab in enumerate(labels):
        at = i % PER_SHEET
        row, col = divmod(at, COLUMNS)
        cells.append(
            {
                "page": i // PER_SHEET,
                "left": LABEL["left"] + col * LABEL["pitch_x"],
                "top": LABEL["top"] + row * LABEL["pitch_y"],
                "name": lab.name,
                "lines": lab.lines,
                "article": grouped(lab.article) if lab.article else None,
            }
        )
    pages = [[c for c in cells if c["page"] == p] for p in range((len(cells) - 1) // PER_SHEET + 1)]
    search = [templates.default_dir()]
    html = (
        html_environment(search).get_template("_mail/labels.html").render(pages=pages, label=LABEL)
    )
    return write_pdf(html, templates.default_dir() / "_mail" / "labels.css", env.store)


def mailing_labels(
    database: Database,
    session: Session,
    env: Env,
    user: User,
    wanted: list[tuple[Document, Case]],
    typed: dict[int, str] | None = None,
) -> bytes:
    """Sheets of mailing labels for a batch of issued documents."""
    labels = labels_for(session, user, wanted, typed)
    _record_views(database, user, wanted, "mailing.labels")
    return label_sheet(labels, env)


# --- what is waiting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """An issued notice the profile lets go by certified mail, with no service recorded."""

    doc: Document
    case: Case
    title: str
    name: str
    recipient: str  # the party's name, or 'the complainant' (never their identity here)
    to_complainant: bool
    printable: bool


def awaiting(session: Session, user: User, limit: int = 200) -> list[Waiting]:
    """Issued notices in the user's jurisdictions that may be sent by certified mail and have
    no service of any kind recorded yet (served by hand, they need no envelope), oldest first."""
    served = exists().where(ServiceRecord.document_id == Document.id)
    rows = session.execute(
        select(Document, Case)
        .join(Case, Case.id == Document.case_id)
        .where(Document.status == "issued", ~served, within(user, Case.jurisdiction_code))
        .order_by(Document.issued_at, Document.id)
        .limit(limit * 4)
    ).all()
    out: list[Waiting] = []
    for doc, case in rows:
        profile = case_profile(session, case)
        local = profile.document_types.get(doc.type)
        if local is None or CERTIFIED not in local["service_methods"]:
            continue
        recipient = (doc.context or {}).get("recipient") or {}
        out.append(
            Waiting(
                doc,
                case,
                local["title"],
                naming.name(local["title"], doc.id),
                "the complainant" if to_complainant(doc) else recipient.get("name", ""),
                to_complainant(doc),
                may_print(user, doc),
            )
        )
        if len(out) == limit:
            break
    return out


def describe(w: Waiting) -> dict[str, Any]:
    """What the mailing page shows of one waiting notice."""
    return {
        "id": w.doc.id,
        "case_number": w.case.case_number,
        "name": w.name,
        "recipient": w.recipient,
        "to_complainant": w.to_complainant,
        "printable": w.printable,
        "issued_on": ((w.doc.context or {}).get("document") or {}).get("issued_on", ""),
        "article": recorded_article(w.doc),
    }


def title_of(session: Session, doc: Document, case: Case) -> str:
    """The document's name as people call it: 'Notice of Violation NOV-12'."""
    title = case_profile(session, case).document_types[doc.type]["title"]
    return naming.name(title, doc.id)
