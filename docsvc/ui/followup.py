"""Pages for the due list and a case's ledger."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from docsvc.api.money import ledger_view
from docsvc.cases import service as cases
from docsvc.followup.clocks import due_list
from docsvc.models import Jurisdiction
from docsvc.profiles.loader import profile_of
from docsvc.timeutil import utcnow
from docsvc.ui.views import bp, staff
from docsvc.web.context import db


@bp.route("/due")
def due():  # type: ignore[no-untyped-def]
    user = staff()
    s = db()
    profiles = {j.code: profile_of(j) for j in s.scalars(select(Jurisdiction))}
    items = due_list(s, profiles, utcnow(), user.jurisdictions)
    return render_template("due.html", items=items)


@bp.route("/cases/<case_number>/ledger")
def case_ledger(case_number: str):  # type: ignore[no-untyped-def]
    user = staff()
    case = cases.get_case(db(), user, case_number)
    return render_template("ledger.html", ledger=ledger_view(case, None))
