"""Complainant identity is read through one guard: the tree is checked for reads around it, and
each path that used to show identity without an audit row (or across jurisdictions, or past the
redaction by a heuristic) is driven through the API as its user drives it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from docsvc.identity.needles import Identity, address_needles, kinds_found, street_address
from docsvc.models import AuditEvent, DisclosureException
from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops

PACKAGE = Path(__file__).resolve().parent.parent / "docsvc"
# Attribute reads of the identifying columns (intake writes them as keyword arguments).
DIRECT_READ = re.compile(r"\.complainant_(name|phone|email|address)\b")
GUARD = PACKAGE / "identity" / "guard.py"


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.rule("TB V.A.3", "LG IV.a.2")
def test_only_the_guard_reads_the_complainants_columns() -> None:
    readers = {
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if DIRECT_READ.search(p.read_text()) and p != GUARD and "models" not in p.parts
    }
    assert readers == set(), f"read complainant identity through docsvc.identity.guard: {readers}"
    assert DIRECT_READ.search(GUARD.read_text())  # the check would see a read where there is one


# Every function of a surface that sends stored bytes, and whether those bytes can bear the
# complainant's identity (then it must call the guard). A new one fails here until it is
# added, deliberately, with its answer.
SENDERS = {
    ("web/files.py", "serve_variant"): True,
    ("web/files.py", "file_response"): True,
    ("ui/disclosure.py", "disclosure_page_image"): True,
    ("web/files.py", "send_volume"): True,
    ("web/files.py", "send_stored"): False,  # the helper itself
    ("web/files.py", "stored_body"): False,  # the helper's helper: reads, or streams, the bytes
    ("web/files.py", "chunks"): False,  # stored_body's stream of a large file
    ("web/files.py", "send_manifest"): True,  # an unredacted bundle's lists captions
    ("web/files.py", "send_certification"): False,
    ("web/files.py", "send_package"): False,  # the public release: scanned before it left
    ("public.py", "release_file"): False,  # one file of that release, the same bytes
    # The Attorney General's ruling on the request: it rules on what may be withheld without
    # repeating it, and only the records role (never the public) reads it.
    ("web/files.py", "send_ruling_letter"): False,
    ("web/files.py", "send_certificate"): False,  # destruction certificates: series and counts
}


def _senders() -> dict[tuple[str, str], bool]:
    found: dict[tuple[str, str], bool] = {}
    surfaces = [p for area in ("api", "ui", "web") for p in (PACKAGE / area).rglob("*.py")]
    for path in sorted([*surfaces, PACKAGE / "public.py"]):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = {
                c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "")
                for c in ast.walk(fn)
                if isinstance(c, ast.Call)
            }
            # Whatever reads stored bytes: whole, streamed, or through the helpers that do.
            readers = {"send_stored", "stored_body", "open_verified", "open_stream", "local_path"}
            if fn.name in ("send_stored", "stored_body") or calls & readers:
                uses_guard = any(
                    isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name)
                    and n.value.id == "guard"
                    for n in ast.walk(fn)
                )
                found[(str(path.relative_to(PACKAGE)), fn.name)] = uses_guard
    return found


def test_every_surface_that_sends_stored_bytes_is_known_and_guarded() -> None:
    found = _senders()
    assert set(found) == set(SENDERS), "a function sends stored bytes: add it to SENDERS"
    for where, bears in SENDERS.items():
        if bears:
            assert found[where], f"{where} sends files that may name the complainant: use guard"


# --- whole addresses, units --------------------------------------------------------------------


def test_a_neighbour_on_the_same_block_is_not_the_complainants_address() -> None:
    needles = address_needles("100 N Oak Avenue Apt 4B, Los Gatos, CA 95030")
    assert not kinds_found("Property: 100 N Main Street, Los Gatos", needles)
    assert not kinds_found("100 S Oak Avenue", needles)  # the other side of the grid
    for text in (
        "lives at 100 N Oak Avenue",
        "100 North Oak Ave.",
        "100 Oak Avenue",
        "100 n. oak av #4B",
    ):
        assert "address" in kinds_found(text, needles), text
    assert kinds_found("please knock at Apt 4B", needles) == {"unit"}
    assert "unit" in kinds_found("Unit 4-B", needles)  # written with a hyphen
    assert not kinds_found("Unit 14B", needles) and not kinds_found("Apt 4", needles)
    assert "unit" in kinds_found("Apartment 4B", needles)


def test_the_street_line_is_parsed_whole() -> None:
    at = street_address("100 N Oak Avenue Apt 4B, Los Gatos")
    assert at is not None
    assert (at.number, at.direction, at.street, at.unit) == ("100", "n", ("oak", "ave"), "4b")
    assert street_address("100 N Main St # 2").unit == "2"
    assert street_address("PO Box 9, Tom Bean") is None
    home, prop = street_address("100 N Oak Ave"), street_address("100 N Main Street")
    assert home is not None and prop is not None and not home.same_place(prop)


# --- the release: needles from the stored record, exceptions decided by a clerk ----------------


def _request(client, records, case: str, **extra):
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "Records about the property",
        "case_numbers": [case],
        **extra,
    }
    return client.post("/api/disclosures", headers=records.headers, json=body)


def _case(client, officer, *, address: str, home: str, name: str = "Maria O'Brien-Nguyễn") -> str:
    body = complaint_case(address=address)
    body["complaint"]["complainant"].update({"address": home, "name": name})
    r = client.post("/api/cases", headers=officer.headers, json=body)
    assert r.status_code == 201, r.json
    return r.json["case_number"]


def test_the_complainants_address_on_the_same_block_is_boxed(
    client, officer, records, work, database
) -> None:
    """The leak that went out: grid neighbours share '100 N', and the address was dropped."""
    case = _case(client, officer, address="100 N Main Street", home="100 N Oak Avenue")
    form = pdf_with(
        text_ops("COMPLAINT FORM", "Home address: 100 N Oak Avenue", "Site: 100 N Main")
    )
    assert (
        helpers.upload(
            client, officer.headers, case, form, "f.pdf", kind="complaint_form"
        ).status_code
        == 201
    )
    r = _request(client, records, case)
    assert r.status_code == 201, r.json
    assert r.json["exceptions"] == []  # not the same place: nothing to propose
    work()
    boxes = client.get(
        f"/api/disclosures/{r.json['id']}/proposed-redactions", headers=records.headers
    ).json
    assert "address" in {b["kind"] for b in boxes}


@pytest.mark.slow
def test_living_at_the_property_is_a_clerks_decision(
    client, officer, records, work, database
) -> None:
    case = _case(client, officer, address="100 N Main Street", home="100 N Main St, Apt 2")
    form = pdf_with(text_ops("COMPLAINT FORM", "Tenant at 100 N Main Street Apt 2", "Call me"))
    helpers.upload(client, officer.headers, case, form, "f.pdf", kind="complaint_form")
    req = _request(client, records, case).json
    [proposal] = req["exceptions"]
    assert proposal["kind"] == "address" and proposal["status"] == "proposed"
    assert "unit stays withheld" in proposal["reason"]
    assert "Main" not in proposal["reason"] and "Apt" not in proposal["reason"]  # never the value
    work()
    url = f"/api/disclosures/{req['id']}"

    def kinds() -> set[str]:
        return {
            b["kind"]
            for b in client.get(f"{url}/proposed-redactions", headers=records.headers).json
        }

    assert "address" in kinds()  # until confirmed, withheld like any identifier
    r = client.post(
        f"{url}/exceptions/{proposal['id']}", headers=records.headers, json={"decision": "maybe"}
    )
    assert r.status_code == 422
    r = client.post(
        f"{url}/exceptions/{proposal['id']}", headers=records.headers, json={"decision": "confirm"}
    )
    assert r.status_code == 200, r.json
    assert r.json["exceptions"][0]["status"] == "confirmed"
    assert "address" not in kinds()
    with database.session() as s:
        row = s.scalar(select(DisclosureException))
        assert row is not None and row.decided_by_id == records.id and row.decided_at is not None
        audit = s.scalars(
            select(AuditEvent).where(AuditEvent.action.like("disclosure.exception%"))
        ).all()
        assert [a.action for a in audit] == ["disclosure.exception.confirm"]
    # Taken back: the case's records are prepared again and the boxes come back.
    r = client.post(
        f"{url}/exceptions/{proposal['id']}", headers=records.headers, json={"decision": "reject"}
    )
    assert r.json["status"] == "preparing"
    work()
    assert "address" in kinds()
    client.post(
        f"{url}/exceptions/{proposal['id']}", headers=records.headers, json={"decision": "confirm"}
    )
    r = client.post(
        f"{url}/release", headers=records.headers, json={"accept_proposed_redactions": True}
    )
    assert r.status_code == 201, [
        (f["file"], f["where"], f["kind"]) for f in r.json["details"]["findings"]
    ]
    got = client.get(f"{url}/exemption-log", headers=records.headers)
    assert got.status_code == 200, got.json
    log = got.json
    public = [e for e in log if e.get("withheld") is False]
    assert len(public) == 1 and public[0]["kind"] == "address"
    assert public[0]["explanation"].startswith("Not withheld: public in the record")
    assert public[0]["reviewer"]


def test_a_complainant_who_is_a_party_is_proposed_not_assumed(
    client, officer, records, work
) -> None:
    case = _case(client, officer, address="1418 Elm Street", home="9 Far Road", name="Lee Owner")
    client.post(
        f"/api/cases/{case}/parties",
        headers=officer.headers,
        json={"role": "owner", "name": "Owner, Lee", "mailing_address": "9 Far Road"},
    )
    req = _request(client, records, case).json
    assert [(e["kind"], e["status"]) for e in req["exceptions"]] == [("name", "proposed")]
    assert req["exceptions"][0]["reason"] == "the complainant is the case's owner"


def test_a_request_by_search_ignores_what_only_the_complainant_matches(
    client, officer, records, work
) -> None:
    """Scoped by the complainant's own name, a request would tell the requester which case
    that person complained about."""
    case = _case(
        client, officer, address="1418 Elm Street", home="1420 Elm Street", name="Quentin Zabriskie"
    )
    letter = helpers.pdf("Letter from Quentin Zabriskie about the yard")
    helpers.upload(client, officer.headers, case, letter, "l.pdf", kind="correspondence")
    work()
    r = _request(client, records, case, case_numbers=[], query="Zabriskie")
    assert r.status_code == 422
    assert "no case is responsive" in r.json["error"]
    r = _request(client, records, case, case_numbers=[], query="weeds")  # the complaint's own words
    assert r.status_code == 201 and r.json["case_numbers"] == [case]


# --- views: audited once each, within the viewer's jurisdictions -------------------------------


def _views(database) -> list[AuditEvent]:
    with database.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "complainant.view")))


def test_history_stays_within_the_viewers_jurisdictions(client, officer, make_user) -> None:
    here = _case(client, officer, address="1418 Elm Street", home="5 Home Lane", name="Ada Repeat")
    there = client.post(
        "/api/cases",
        headers=officer.headers,
        json=complaint_case(
            jurisdiction="tom-bean-tx",
            address="1418 Elm Street",
            complainant={"name": "Ada Repeat", "phone": "903-555-0101", "address": "5 Home Lane"},
        ),
    ).json["case_number"]
    for n in (here, there):
        client.post(
            f"/api/cases/{n}/parties",
            headers=officer.headers,
            json={"role": "owner", "name": "Sam Shared", "mailing_address": "1 Same St"},
        )
    local = make_user("records", jurisdictions=["los-gatos-ca"])
    everywhere = make_user("records")
    mine = client.get(f"/api/cases/{here}", headers=local.headers).json
    assert mine["history"]["complainant"] == []
    assert mine["parties"][0]["prior_cases"] == []
    assert there not in str(mine)
    full = client.get(f"/api/cases/{here}", headers=everywhere.headers).json
    assert [c["case_number"] for c in full["history"]["complainant"]] == [there]


def test_a_document_to_the_complainant_is_a_view_each_time(
    client, officer, records, database
) -> None:
    case = _case(client, officer, address="1418 Elm Street", home="1420 Elm Street")
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=officer.headers,
        json={
            "type": "notice_of_resolution",
            "recipient": "complainant",
            "fields": {"resolution": "Weeds cut."},
        },
    )
    assert r.status_code == 201, r.json
    doc = r.json["id"]
    before = len(_views(database))
    for fmt in ("pdf", "docx"):
        got = client.get(f"/api/documents/{doc}/{fmt}", headers=records.headers)
        assert got.status_code == 200
        assert got.headers["Cache-Control"] == "no-store"
    after = _views(database)[before:]
    assert [(e.actor_id, e.fields) for e in after] == [
        (records.id, [f"document.{doc}.pdf"]),
        (records.id, [f"document.{doc}.docx"]),
    ]


def test_search_shows_restricted_hits_masked_and_audited(
    client, officer, records, work, database
) -> None:
    case = _case(client, officer, address="1418 Elm Street", home="1420 Elm Street")
    reply = helpers.pdf("Called back (408) 555-0142 about the couch; she will send photos")
    helpers.upload(client, officer.headers, case, reply, "reply.pdf", kind="correspondence")
    work()
    before = len(_views(database))
    hits = client.get("/api/search?q=couch", headers=records.headers).json["results"]
    shown = " ".join(h["snippet"] for h in hits)
    assert "couch" in shown  # found, with the rest of what matched
    assert "555" not in shown and "0142" not in shown
    assert "[complainant]" in shown
    views = _views(database)[before:]
    assert [(e.actor_id, e.object_id, e.fields) for e in views] == [(records.id, case, ["search"])]
    # What names nobody is no view.
    client.get("/api/search?q=weeds", headers=records.headers)
    assert len(_views(database)) == before + 1


def test_the_case_page_masks_what_quotes_the_complainant_until_shown(
    client, officer, signed_in, database
) -> None:
    body = complaint_case(description="Maria O'Brien-Nguyễn (408) 555-0142 says weeds are tall.")
    case = client.post("/api/cases", headers=officer.headers, json=body).json["case_number"]
    photo = helpers.jpeg()
    helpers.upload(
        client, officer.headers, case, photo, "IMG_maria.jpg", kind="photo",
        caption="From Maria O'Brien-Nguyễn's window", supplied_by_complainant="true",
    )  # fmt: skip
    signed_in("records")  # the client now carries a records clerk's browser session
    before = len(_views(database))
    page = client.get(f"/cases/{case}").get_data(as_text=True)
    assert "555-0142" not in page and "O'Brien" not in page and "O&#39;Brien" not in page
    assert "weeds are tall" in page
    assert len(_views(database)) == before  # nothing identifying shown: no view


def test_needles_come_from_every_identifier() -> None:
    who = Identity("Ann Lee", "408-555-0199", "ann@example.org", "7 Pine Ct Unit 3")
    assert {n.kind for n in who.needles()} == {"name", "phone", "email", "address", "unit"}


def test_a_snippet_cut_inside_an_identifier_masks_the_part_left(client, officer, database) -> None:
    from docsvc.identity.mask import snippet_masker
    from docsvc.models import Case

    number = _case(client, officer, address="1418 Elm Street", home="1420 Elm Street")
    with database.session() as s:
        case = s.scalar(select(Case).where(Case.case_number == number))
        cut = snippet_masker(s, case)
        assert cut("…we tried to reach you at (408…") == "…we tried to reach you at ([complainant]…"
        assert cut("Nguyễn called about the yard…") == "[complainant] called about the yard…"
        assert cut("…from Maria O'Bri…") == "…from [complainant]…"
        assert cut("…the yard at 1418 Elm…") == "…the yard at 1418 Elm…"  # the property's
        assert cut("…mowed on the 14th…") == "…mowed on the 14th…"


ATTACKS = [  # from the attacker's walkthrough: forms that passed both the redaction and the scanner
    ("name", "as reported by neighbour Ottoline at the fence"),
    ("name", "Spaced: O t t o l i n e"),
    ("email", "Email: ooS@example.net"),  # OCR's reading of obs@
    ("email", "write to obs [at] example [dot] net"),
    ("name", "Reported by \u041ettoline Brackenbury"),  # a Cyrillic O
    ("name", "Ott\u200boline B.-S. called"),  # a zero-width space inside
    ("phone", "her number is four oh eight, five five five, zero one seven seven"),
    ("phone", "local: five five five, 0 1 7 7"),  # read out, partly in figures
]


@pytest.mark.parametrize(("kind", "text"), ATTACKS)
def test_the_redaction_and_the_scanner_each_find_the_walkthroughs_forms(
    kind: str, text: str
) -> None:
    from docsvc.disclosure.scan_targets import Targets

    who = ("Ottoline Brackenbury-Szabo", "(408) 555-0177", "obs@example.net", "88 E Willow Way")
    assert kind in kinds_found(text, Identity(*who).needles())
    assert kind in Targets.of(*who).kinds_in(text)


def test_numbers_in_words_are_no_phone_unless_they_spell_it() -> None:
    from docsvc.disclosure.scan_targets import Targets

    who = ("Ottoline Brackenbury-Szabo", "(408) 555-0177", None, None)
    for text in (
        "one or two cars, three weeks, five five five times",
        "four oh eight, five five five, zero one seven six",  # one digit off
    ):
        assert not kinds_found(text, Identity(*who).needles()), text
        assert not Targets.of(*who).kinds_in(text), text


def test_a_street_named_like_the_given_name_is_no_finding() -> None:
    """The given name alone is withheld whatever its length, but not as a street's name."""
    from docsvc.disclosure.scan_targets import Targets

    who = ("Maria Lopez", None, "ml@example.org", None)
    text = "Maria Street is two blocks away; write to bob@example.org"
    assert not kinds_found(text, Identity(*who).needles())
    assert not Targets.of(*who).kinds_in(text)


def test_a_documents_fields_that_name_the_complainant_are_a_view(
    client, officer, records, database
) -> None:
    """The API returns fields as typed (a draft is edited from them): where an officer wrote the
    complainant's name there, reading them is audited; where not, it is no view."""
    from tests.documents_helpers import build_case, document_body

    built = build_case(client, officer.headers, "los-gatos-ca")
    plain = document_body("notice_of_violation", built, draft=True)
    quoting = document_body("notice_of_violation", built, draft=True)
    quoting["fields"] = {
        **quoting["fields"],
        "corrective_action": "Call Maria O'Brien-Nguyễn first",
    }
    ids = []
    for body in (plain, quoting):
        r = client.post(f"/api/cases/{built.case}/documents", headers=officer.headers, json=body)
        assert r.status_code == 201, r.json
        ids.append(r.json["id"])
    before = len(_views(database))
    assert client.get(f"/api/documents/{ids[0]}", headers=records.headers).status_code == 200
    assert len(_views(database)) == before
    got = client.get(f"/api/documents/{ids[1]}", headers=records.headers)
    assert "O'Brien" in got.json["fields"]["corrective_action"]
    client.get(f"/api/cases/{built.case}/documents", headers=records.headers)
    views = _views(database)[before:]
    assert [(v.actor_id, v.fields) for v in views] == [(records.id, ["api.documents.fields"])] * 2


def test_a_hits_title_is_masked_like_its_snippet(client, officer, records, work) -> None:
    """An officer's photo whose caption quotes the complainant: found by the caption, the hit's
    title (the caption) shows no more of them than its snippet does."""
    case = _case(client, officer, address="1418 Elm Street", home="1420 Elm Street")
    helpers.upload(
        client, officer.headers, case, helpers.jpeg(), "tires.jpg", kind="photo",
        caption="Neighbour Maria O'Brien-Nguyễn, (408) 555-0142, showed me the tires",
    )  # fmt: skip
    work()
    hits = client.get("/api/search?q=tires", headers=records.headers).json["results"]
    assert hits, "the photo is found by its caption"
    for h in hits:
        for shown in (h["title"], h["snippet"]):
            assert "O'Brien" not in shown and "555-0142" not in shown, shown
    assert any("[complainant]" in h["title"] for h in hits)


def test_the_complainants_file_uploaded_again_is_still_theirs(client, officer) -> None:
    """The same bytes as a photo the complainant supplied, uploaded again without the box
    ticked (or the other way round), are the complainant's file either way."""
    case = _case(client, officer, address="1418 Elm Street", home="1420 Elm Street")
    theirs = helpers.jpeg(color="red")
    first = helpers.upload(
        client, officer.headers, case, theirs, "a.jpg", kind="photo", supplied_by_complainant="true"
    ).json
    again = helpers.upload(client, officer.headers, case, theirs, "b.jpg", kind="photo").json
    assert again["supplied_by_complainant"] is True, again
    # The other order: the officer's copy first, then the complainant's marks both.
    other = _case(client, officer, address="1500 Elm Street", home="1502 Elm Street")
    mine = helpers.upload(client, officer.headers, other, theirs, "c.jpg", kind="photo").json
    assert mine["supplied_by_complainant"] is False
    helpers.upload(
        client,
        officer.headers,
        other,
        theirs,
        "d.jpg",
        kind="photo",
        supplied_by_complainant="true",
    )
    listed = client.get(f"/api/cases/{other}", headers=officer.headers).json["attachments"]
    assert {a["id"]: a["supplied_by_complainant"] for a in listed}[mine["id"]] is True
    assert first["supplied_by_complainant"] is True


@pytest.mark.slow
def test_an_unredacted_bundle_is_never_cached(client, officer, attorney, work) -> None:
    """Each showing of a bundle that names the complainant is fetched, so it is recorded."""
    case = _case(client, officer, address="1418 Elm Street", home="1420 Elm Street")
    ids = {}
    for redacted in (False, True):
        r = client.post(
            f"/api/cases/{case}/bundles", headers=attorney.headers, json={"redacted": redacted}
        )
        assert r.status_code == 202, r.json
        ids[redacted] = r.json["id"]
    work()
    for redacted, bundle in ids.items():
        for path in ("volumes/1.pdf", "manifest.json"):
            got = client.get(f"/api/bundles/{bundle}/{path}", headers=attorney.headers)
            assert got.status_code == 200, (path, got.json)
            assert (got.headers["Cache-Control"] == "no-store") is (not redacted), path


def test_a_redacted_phone_leaves_no_bracket_behind() -> None:
    """'([the complainant]' would tell the respondent a phone number stood there."""
    from docsvc.identity.needles import replace_spans

    who = Identity("Maria O'Brien-Nguyễn", "(903) 555-0142", None, None)
    for text, out in (
        ("neighbour Maria O'Brien-Nguyen, (903) 555-0142, showed", "neighbour [c], [c], showed"),
        ("call +1 (903) 555-0142 now", "call [c] now"),
        ("call 1-903-555-0142 now", "call [c] now"),
        ("room 1 555-0142", "room 1 [c]"),  # a room's number is no country code
    ):
        assert replace_spans(text, who.needles(), "c")[0] == out
