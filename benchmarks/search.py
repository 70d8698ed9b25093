"""Full-text search, measured beside its baselines in one run, on one corpus and one query mix.

Corpus: --docs synthetic case documents (default 100,000) over cases of five records each:
two notices (~2.5 KB of notice wording with names, addresses, case numbers), two inspection
reports (~1.2 KB) and one return receipt as OCR would read it (~0.4 KB).

Measured for each engine:
  service  docsvc's own index (the search_entries table, its FTS5 triggers) and its own
           `docsvc.search.query.search` (count, cases ranked by best record, 20 a page, up to 5
           hits each, highlighted snippets);
  fts5     raw SQLite FTS5 over the same text with the same tokenizer, answering the same
           question the plainest way: a count and the 20 best rows with snippets;
  whoosh   Whoosh (whoosh3 3.54.0), the rejected alternative: a stemming, accent-folding
           schema, the 20 best with highlights and the count.
  service-pg  with --postgresql: the same service index and query on PostgreSQL (the stored
           tsvector column and its GIN index, to_tsquery/ts_rank_cd/ts_headline), loaded with
           the same corpus generated once; printed beside the SQLite lane with the ratio.
Index build throughput (documents/s), incremental add latency (one record, own transaction),
and p50/p95 per query class: a name, an address, a case number, a phrase, a prefix, one very
common word.

    .venv/bin/pip install whoosh3==3.54.0   # benchmark-only; never a service dependency
    .venv/bin/python benchmarks/search.py [--docs 100000] [--queries 40] [--no-whoosh]
                                          [--postgresql auto|URL] [--pg-port PORT]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Postgres, after_bulk_load, fresh_app, load_note, save, summary

FIRST = [
    "Maria",
    "James",
    "Aiyana",
    "Trần",
    "Robert",
    "Linh",
    "Fatima",
    "Oluwaseun",
    "Chen",
    "Kateryna",
    "José",
    "Bartholomew",
    "Priya",
    "Siobhán",
    "Ahmed",
    "Dmitri",
    "Noor",
    "Zoë",
    "Mateo",
    "Hannah",
    "Kwame",
    "Ingrid",
    "Raúl",
    "Yuki",
    "Grace",
    "Tomás",
]
LAST = [
    "O'Brien-Nguyễn",
    "Smith",
    "Okafor",
    "Fairweather",
    "Delacroix",
    "Haddad",
    "Kowalczyk",
    "Ramírez",
    "Lindqvist",
    "Abernathy",
    "Nakamura",
    "Petrov",
    "Whitfield",
    "Mbeki",
    "Castellanos",
    "Gallagher",
    "Brennan",
    "Thibodeaux",
    "Oyelaran",
    "Vasquez",
    "Holloway",
    "Szymański",
    "Achterberg",
    "Quintero",
    "Ferreira",
    "Montgomery",
    "Żukowski",
]
STREETS = [
    "Elm",
    "Oak",
    "Juniper",
    "Maple",
    "Cedar",
    "Willow",
    "Sycamore",
    "Magnolia",
    "Hickory",
    "Laurel",
    "Alder",
    "Birch",
    "Chestnut",
    "Cypress",
    "Dogwood",
    "Hawthorn",
    "Linden",
    "Poplar",
    "Redwood",
    "Spruce",
    "Tamarack",
    "Walnut",
    "Aspen",
    "Buckeye",
]
KINDS = ("Street", "Avenue", "Lane", "Court", "Road", "Drive", "Way", "Place")
# Violation descriptions as officers write them: an object, its condition, where it is.
OBJECTS = (
    "abandoned refrigerators",
    "inoperable pickup truck",
    "stacked tires",
    "scrap lumber",
    "broken washing machine",
    "torn tarp shelter",
    "rusted boat trailer",
    "loose roofing shingles",
    "collapsed chain-link fence",
    "overgrown blackberry canes",
    "dead pine limbs",
    "uncovered trash carts",
    "unpermitted carport frame",
    "exposed wiring",
    "sagging porch roof",
    "mattress pile",
    "stagnant pool water",
    "graffiti tags",
    "broken window panes",
    "leaking oil drums",
    "rotting shed siding",
    "junked sedan",
    "tall dry grass",
    "discarded furniture",
    "open foundation trench",
)
CONDITIONS = (
    "rusting",
    "left",
    "piled",
    "dumped",
    "lying",
    "stored",
    "collapsing",
    "decaying",
    "abandoned",
    "spreading",
    "leaning",
    "scattered",
    "hanging",
    "flooding",
    "smouldering",
    "blocking access",
)
PLACES = (
    "beside the driveway",
    "behind the garage",
    "along the east fence",
    "in the front setback",
    "across the rear yard",
    "against the alley wall",
    "under the carport",
    "next to the sidewalk",
    "by the mailbox",
    "in the side yard",
    "on the back deck",
    "near the creek bank",
    "at the north property line",
    "inside the open shed",
    "over the public sidewalk",
    "beneath the kitchen window",
)


def violation(rng: random.Random) -> str:
    return f"{rng.choice(OBJECTS).capitalize()} {rng.choice(CONDITIONS)} {rng.choice(PLACES)}"


NOTICE = (
    "You are receiving this notice as the owner of the property described below. An "
    "inspection found the following violations of the municipal code. A separate notice is "
    "sent to each other person responsible for the property. Corrective action required: "
    "remove the materials, repair the structure and restore the property to a safe and "
    "sanitary condition. You may appeal this notice by writing to the code enforcement "
    "division before the compliance deadline, stating the case number, the notice you appeal "
    "and your reasons; you may ask for a hearing. If the violations are not corrected by the "
    "deadline, the city may issue a citation, assess penalties as its code provides, abate "
    "the violations and recover the costs, and record a lien against the property for unpaid "
    "penalties and costs. "
)
INSPECTION = (
    "Inspection report. The investigator visited the property and observed the conditions "
    "from the public right of way. Photographs were taken of each condition. The occupant "
    "was spoken to at the door and told of the violations and the time allowed to correct "
    "them. Recommended action: issue a notice of violation and re-inspect after the "
    "compliance date. "
)
COMMON = "property"  # in nearly every notice and report


def name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def address(rng: random.Random) -> str:
    return f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(KINDS)}"


def corpus(n_docs: int, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(cases, documents): five documents a case, texts sized like real ones."""
    rng = random.Random(seed)
    cases, docs = [], []
    for c in range(n_docs // 5):
        number = f"LG-{2020 + c % 7}-{c:06d}"
        owner, tenant = name(rng), name(rng)
        # One case a property here (the property table keeps addresses unique).
        addr = f"{c % 9999 + 1} {STREETS[(c // 9999) % len(STREETS)]} {rng.choice(KINDS)}"
        opened = date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500))
        cases.append({"number": number, "address": addr, "opened": opened})
        vio = [violation(rng) for _ in range(3)]
        for who in (owner, tenant):
            body = (
                f"Notice of violation to {who}, {address(rng)}. Case {number}. Property: "
                f"{addr}. Violations: {'; '.join(vio)}. " + NOTICE * 3
            )
            docs.append({"case": c, "kind": "document", "title": f"Notice to {who}", "body": body})
        for i in range(2):
            body = (
                f"{INSPECTION}Observed at {addr} on visit {i + 1}: {'; '.join(vio)}. "
                f"Investigator {name(rng)}. Witness {name(rng)}. " + INSPECTION * 2
            )
            docs.append(
                {"case": c, "kind": "inspection", "title": "Inspection report", "body": body}
            )
        body = (
            "DOMESTIC RETURN RECEIPT PS Form 3811 Article addressed to "
            f"{owner} {addr} Received by (printed name) {owner} Date of delivery "
            f"{opened + timedelta(days=9)} 9590 9402 {rng.randint(1000, 9999)} "
            f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} Agent Addressee"
        )
        docs.append({"case": c, "kind": "receipt", "title": "Return receipt", "body": body})
    for i, d in enumerate(docs):
        d["id"] = i + 1
        d["occurred_on"] = cases[d["case"]]["opened"]
    return cases, docs


def violations_of(doc: dict[str, Any]) -> list[str]:
    return doc["body"].split("Violations: ")[1].split(". ")[0].split("; ")


def queries(
    cases: list[dict[str, Any]], docs: list[dict[str, Any]], n: int
) -> dict[str, list[str]]:
    rng = random.Random(11)
    notices = [d for d in docs if d["kind"] == "document"]
    picked = [rng.choice(notices) for _ in range(n)]
    return {
        "name": [d["title"].removeprefix("Notice to ") for d in picked],
        "address": [rng.choice(cases)["address"] for _ in range(n)],
        "case number": [rng.choice(cases)["number"] for _ in range(n)],
        # One recorded violation, as a clerk copies it from a letter.
        "phrase": [f'"{rng.choice(violations_of(d))}"' for d in picked],
        "prefix": [rng.choice(LAST)[:5].replace("'", "") + "*" for _ in range(n)],
        "common word": [COMMON] * n,
    }


def timed(fn: Any, *args: Any) -> float:
    t = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t) * 1000


# --- the service ---------------------------------------------------------------------------


def service_setup(
    root: Path,
    cases: list[dict[str, Any]],
    docs: list[dict[str, Any]],
    database_url: str | None = None,
):
    from sqlalchemy import insert, select

    from docsvc.models import Case, Property, SearchEntry, User

    app, _settings, _headers = fresh_app(root, database_url)
    database = app.extensions["docsvc.db"]
    now = datetime.now(UTC)
    with database.session() as s:
        user_id = s.scalar(select(User.id))
        s.execute(
            insert(Property),
            [
                {
                    "id": i + 1,
                    "jurisdiction_code": "los-gatos-ca",
                    "address": c["address"],
                    "address_key": c["address"].lower(),
                    "created_at": now,
                }
                for i, c in enumerate(cases)
            ],
        )
        s.execute(
            insert(Case),
            [
                {
                    "id": i + 1,
                    "case_number": c["number"],
                    "jurisdiction_code": "los-gatos-ca",
                    "property_id": i + 1,
                    "origin": "patrol",
                    "status": "open",
                    "opened_at": now,
                    "opened_by_id": user_id,
                    "aggravating": [],
                    "follow_up_after_closure": False,
                    "updated_at": now,
                }
                for i, c in enumerate(cases)
            ],
        )
        s.commit()
    rows = [
        {
            "kind": d["kind"],
            "ref_id": d["id"],
            "part": "text",
            "case_id": d["case"] + 1,
            "jurisdiction_code": "los-gatos-ca",
            "occurred_on": d["occurred_on"],
            "title": d["title"],
            "body": d["body"],
            "restricted": False,
            "source": "text",
            "updated_at": now,
        }
        for d in docs
    ]
    t = time.perf_counter()
    with database.session() as s:
        for start in range(0, len(rows), 2000):
            s.execute(insert(SearchEntry), rows[start : start + 2000])
        s.commit()
    build = time.perf_counter() - t
    # Not counted in the build: what the load leaves PostgreSQL to do.
    after_bulk_load(database, ("properties", "cases"), analyze="search_entries")
    return app, database, build, user_id


def service_add(database: Any, case_id: int, i: int) -> None:
    """One record added the way the service adds one: an ORM insert whose flush writes the
    index entry in the same transaction, then commit."""
    from docsvc.models import Party

    with database.session() as s:
        s.add(
            Party(
                case_id=case_id,
                role="owner",
                name=f"Added Owner {i}",
                name_key=f"added owner {i}",
                mailing_address=f"{i} New Street",
                address_key=f"{i} new street",
                created_at=datetime.now(UTC),
            )
        )
        s.commit()


def service_query(database: Any, q: str) -> None:
    from docsvc.search.query import Filters, search

    with database.read_session() as s:
        search(s, q, Filters(), 1)


# --- raw FTS5 ------------------------------------------------------------------------------


def fts5_setup(path: Path, docs: list[dict[str, Any]]) -> tuple[sqlite3.Connection, float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)",
        ((d["id"], d["title"], d["body"]) for d in docs),
    )
    conn.execute("COMMIT")
    return conn, time.perf_counter() - t


def fts5_add(conn: sqlite3.Connection, i: int) -> None:
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO docs(title, body) VALUES (?, ?)",
        ("Owner", f"Added Owner {i} {i} New Street"),
    )
    conn.execute("COMMIT")


def fts5_query(conn: sqlite3.Connection, match: str) -> None:
    conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()
    conn.execute(
        "SELECT rowid, snippet(docs, 1, '[', ']', '…', 12), bm25(docs) FROM docs "
        "WHERE docs MATCH ? ORDER BY rank LIMIT 20",
        (match,),
    ).fetchall()


# --- Whoosh --------------------------------------------------------------------------------


def whoosh_setup(path: Path, docs: list[dict[str, Any]]):
    from whoosh import index
    from whoosh.analysis import CharsetFilter, StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.support.charset import accent_map

    analyzer = StemmingAnalyzer() | CharsetFilter(accent_map)
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=analyzer),
        body=TEXT(stored=True, analyzer=analyzer),
    )
    path.mkdir()
    ix = index.create_in(str(path), schema)
    t = time.perf_counter()
    writer = ix.writer(limitmb=256)
    for d in docs:
        writer.add_document(id=str(d["id"]), title=d["title"], body=d["body"])
    writer.commit()
    return ix, time.perf_counter() - t


def whoosh_add(ix: Any, i: int) -> None:
    writer = ix.writer()
    writer.add_document(id=f"new{i}", title="Owner", body=f"Added Owner {i} {i} New Street")
    writer.commit()


def whoosh_query(ix: Any, q: str) -> None:
    from whoosh.qparser import AndGroup, MultifieldParser

    with ix.searcher() as searcher:
        query = MultifieldParser(["title", "body"], ix.schema, group=AndGroup).parse(q)
        results = searcher.search(query, limit=20)
        len(results)
        for hit in results:
            hit.highlights("body")


# --- the run -------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=40, help="queries per class")
    ap.add_argument("--adds", type=int, default=100, help="incremental adds measured")
    ap.add_argument("--no-whoosh", action="store_true")
    ap.add_argument(
        "--postgresql",
        metavar="auto|URL",
        help="also measure the service on PostgreSQL: 'auto' starts a throwaway server "
        "(scripts/pg-server.sh); a URL names a server where the benchmark may create databases",
    )
    ap.add_argument("--pg-port", type=int, default=0, help="the throwaway server's port")
    args = ap.parse_args()

    from docsvc.search.query import fts5_match, parse

    root = Path(tempfile.mkdtemp(prefix="docsvc-bench-search-"))
    pg = Postgres(args.postgresql, args.pg_port) if args.postgresql else None
    try:
        t = time.perf_counter()
        cases, docs = corpus(args.docs)
        mb = sum(len(d["body"]) for d in docs) / 1e6
        print(
            f"corpus: {len(docs):,} documents, {len(cases):,} cases, {mb:.0f} MB of text "
            f"({time.perf_counter() - t:.1f} s to generate); {load_note()}"
        )
        mix = queries(cases, docs, args.queries)
        result: dict[str, Any] = {
            "docs": len(docs),
            "cases": len(cases),
            "text_mb": round(mb, 1),
            "load_before": load_note(),
        }

        engines: dict[str, dict[str, Any]] = {}
        app, database, build, _ = service_setup(root / "service", cases, docs)
        engines["service"] = {
            "build": build,
            "add": lambda i: service_add(database, 1 + i % len(cases), i),
            "query": lambda q: service_query(database, q),
        }
        apps = [app]
        if pg is not None:
            result["postgresql"] = pg.version()
            url = pg.database("docsvc_bench_search")
            app_pg, database_pg, build, _ = service_setup(root / "service-pg", cases, docs, url)
            apps.append(app_pg)
            engines["service-pg"] = {
                "build": build,
                "add": lambda i: service_add(database_pg, 1 + i % len(cases), i),
                "query": lambda q: service_query(database_pg, q),
            }
        conn, build = fts5_setup(root / "fts5.sqlite3", docs)
        engines["fts5"] = {
            "build": build,
            "add": lambda i: fts5_add(conn, i),
            "query": lambda q: fts5_query(conn, fts5_match(parse(q))),
        }
        if not args.no_whoosh:
            ix, build = whoosh_setup(root / "whoosh", docs)
            engines["whoosh"] = {
                "build": build,
                "add": lambda i: whoosh_add(ix, i),
                "query": lambda q: whoosh_query(ix, q),
            }
        has_pg = "service-pg" in engines

        print(
            f"\n{'index build':<14}"
            + "".join(f"{e:>16}" for e in engines)
            + ("   pg/sqlite" if has_pg else "")
        )
        rate = {k: len(docs) / e["build"] for k, e in engines.items()}
        print(
            f"{'docs/s':<14}"
            + "".join(f"{r:>16,.0f}" for r in rate.values())
            + (f"   {rate['service-pg'] / rate['service']:.2f}x" if has_pg else "")
        )
        result["build_docs_per_s"] = {k: round(r) for k, r in rate.items()}

        adds = {k: [timed(e["add"], i) for i in range(args.adds)] for k, e in engines.items()}
        result["add_ms"] = {k: summary(v) for k, v in adds.items()}
        for q in ("p50", "p95"):
            ratio = (
                f"   {summary(adds['service-pg'])[q] / summary(adds['service'])[q]:.2f}x"
                if has_pg
                else ""
            )
            print(
                f"{'add ' + q + ' ms':<14}"
                + "".join(f"{summary(v)[q]:>16.2f}" for v in adds.values())
                + ratio
            )

        print(
            f"\n{'query (ms)':<14}"
            + "".join(f"{e + ' p50/p95':>20}" for e in engines)
            + "   service/fts5 p50"
            + ("   pg/sqlite p50 p95" if has_pg else "")
        )
        result["query_ms"] = {}
        for cls, qs in mix.items():
            for e in engines.values():  # warm each engine's caches on the class once
                e["query"](qs[0])
            times = {k: [timed(e["query"], q) for q in qs] for k, e in engines.items()}
            stats = {k: summary(v) for k, v in times.items()}
            ratio = stats["service"]["p50"] / stats["fts5"]["p50"]
            row: dict[str, Any] = {**stats, "service_over_fts5_p50": round(ratio, 2)}
            line = (
                f"{cls:<14}"
                + "".join(f"{s['p50']:>11.1f}/{s['p95']:<8.1f}" for s in stats.values())
                + f"   {ratio:>15.2f}x"
            )
            if has_pg:
                pg50 = stats["service-pg"]["p50"] / stats["service"]["p50"]
                pg95 = stats["service-pg"]["p95"] / stats["service"]["p95"]
                row["pg_over_sqlite_p50"] = round(pg50, 2)
                row["pg_over_sqlite_p95"] = round(pg95, 2)
                line += f"   {pg50:>6.2f}x {pg95:.2f}x"
            result["query_ms"][cls] = row
            print(line)
        if has_pg:
            # The two engines parse and stem differently (FTS5's porter, PostgreSQL's english
            # configuration): how many records each finds for the class's first query.
            from docsvc.search.query import Filters, search

            found = {}
            for cls, qs in mix.items():
                with database.read_session() as s1, database_pg.read_session() as s2:
                    found[cls] = [
                        search(s1, qs[0], Filters(), 1).total,
                        search(s2, qs[0], Filters(), 1).total,
                    ]
            result["matches_sqlite_pg"] = found
            print(
                "records found, sqlite/pg: "
                + ", ".join(f"{c} {a}/{b}" for c, (a, b) in found.items())
            )
        result["load_after"] = load_note()
        print(load_note())
        path = save("search-postgresql" if has_pg else "search", result)
        print(f"\nresults: {path}")
        for a in apps:
            a.extensions["docsvc.db"].dispose()
    finally:
        if pg is not None:
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
