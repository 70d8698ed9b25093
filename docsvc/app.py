"""The application factory."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Blueprint, Flask, Response
from flask_wtf.csrf import CSRFProtect
from jinja2 import StrictUndefined
from werkzeug.middleware.proxy_fix import ProxyFix

from docsvc import wiring
from docsvc.audit.keys import KeySource
from docsvc.config import Settings, load_settings
from docsvc.db import Database
from docsvc.labels import label, when, zone_name
from docsvc.labels import money as amount
from docsvc.store import open_store
from docsvc.store.modes import sqlite_path, tighten
from docsvc.web import context, errors, intake, ready

csrf = CSRFProtect()

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
SESSION_LIFETIME = timedelta(hours=12)


def configure_logging(fmt: str = LOG_FORMAT) -> None:
    """INFO and above to stderr (the server's log), without libraries' step-by-step chatter,
    which would bury the lines an operator needs."""
    logging.basicConfig(level=logging.INFO, format=fmt)
    for chatty in ("weasyprint.progress", "pikepdf._core", "fontTools"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def create_app(settings: Settings | None = None, **overrides: object) -> Flask:
    settings = settings or load_settings(**overrides)
    wiring.install()
    app = Flask(__name__, template_folder="ui/templates", static_folder="ui/static")
    if settings.trusted_proxies:
        # The client's address (sign-in throttling) and scheme from X-Forwarded-For/-Proto,
        # set by that many proxies in front; never trusted unless configured.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Room for the multipart envelope and form fields around the largest allowed file.
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind TLS (DOCSVC_SECURE_COOKIES) the cookie is never sent over plain HTTP.
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # CSRF tokens live as long as the session (a field form may sit open for hours), no
        # longer; signing out clears the session, and the token with it.
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME.total_seconds()),
        API_TITLE="docsvc",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "info": {
                "description": "Code-enforcement documents and records. Staff endpoints take "
                "'Authorization: Bearer <token>'; no token is the public."
            },
        },
        TESTING=settings.testing,
    )
    # Before any route is added: ids bounded in the `int` converter; routing's answer, then the
    # body's size, checked first on every request (docsvc/web/intake.py).
    intake.install(app)
    # A page that names a variable nobody passed fails loudly instead of rendering it empty.
    app.jinja_env.undefined = StrictUndefined
    app.add_template_filter(label, "label")  # every code shown to a person, as words
    app.add_template_filter(amount, "money")  # every amount shown to a person: 3,750.50
    app.add_template_filter(when, "when")  # every moment shown: 'Nov 30, 2026, 9:30 AM PST'
    app.add_template_filter(zone_name, "zone_name")  # 'Pacific time', never the zone's code
    app.extensions["docsvc.settings"] = settings
    app.extensions["docsvc.db"] = Database(settings.database_url, KeySource.of(settings))
    app.extensions["docsvc.store"] = open_store(settings)

    configure_logging()
    tighten(settings.data_dir, sqlite_path(settings.database_url))  # a private data dir

    from docsvc import public
    from docsvc.api import (
        attachments,
        bundles,
        cases,
        disclosure,
        documents,
        followup,
        mailing,
        money,
        reference,
        reports,
        retention,
        search,
    )
    from docsvc.api.base import Api
    from docsvc.ui import base, signin, submissions
    from docsvc.ui import bundles as bundle_pages
    from docsvc.ui import cases as case_pages
    from docsvc.ui import disclosure as disclosure_pages
    from docsvc.ui import documents as document_pages
    from docsvc.ui import followup as followup_pages
    from docsvc.ui import mailing as mailing_pages
    from docsvc.ui import patrol as patrol_pages
    from docsvc.ui import retention as retention_pages
    from docsvc.ui import search as search_page

    api = Api(app)
    for blp in (
        reference.blp,
        cases.blp,
        attachments.blp,
        documents.blp,
        mailing.blp,
        money.blp,
        followup.blp,
        reports.blp,
        search.blp,
        disclosure.blp,
        retention.blp,
        bundles.blp,
    ):
        api.register_blueprint(blp)
        csrf.exempt(blp)  # token-authenticated; cookies are never read on the API
    api.register_blueprint(public.blp)  # documented with the API; GET only, no session

    # Every page hangs under one "ui" blueprint ("ui.cases.case_page"): what applies to all
    # pages (their shared context, each form done once) is installed on it, once.
    pages = Blueprint("ui", __name__)
    for module in (
        signin,
        case_pages,
        document_pages,
        followup_pages,
        mailing_pages,
        patrol_pages,
        search_page,
        disclosure_pages,
        bundle_pages,
        retention_pages,
        submissions,
    ):
        pages.register_blueprint(module.bp)
    pages.app_context_processor(base.page_context)
    submissions.install(pages)
    app.register_blueprint(pages)
    csrf.init_app(app)
    errors.register(app)
    ready.register(app)
    app.teardown_appcontext(context.close_db)

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if settings.secure_cookies:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if resp.mimetype == "text/html":
            resp.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
            )
        return resp

    return app
