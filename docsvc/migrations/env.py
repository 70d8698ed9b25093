"""Alembic environment: run by docsvc.migrate with the URL in the config's attributes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from docsvc.models import Base
from docsvc.search.schema import include_object

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None  # docsvc.migrate.alembic_config always sets it
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copy-and-move
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("docsvc migrations run online only")
run_migrations_online()
