"""alembic's environment for the case store: the connection and the tables to compare with.

``bot.cases.migrate.migrate`` hands over its connection, already locked and inside its
transaction. alembic's command line (``python -m bot.cases.migrations``) hands over none: then
this opens DATABASE_URL (else the SQLite file) and prepares it the same way. ``--sql`` writes
the SQL instead of running it.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bot.cases.db import database_url, make_engine
from bot.cases.migrate import include_name, prepare
from bot.cases.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        # SQLite alters tables by copying them; autogenerate writes revisions that do so.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    if context.is_offline_mode():
        context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    given = context.config.attributes.get("connection")
    if given is not None:
        run_migrations(given)
        return
    engine = make_engine()
    try:
        with engine.begin() as connection:
            prepare(connection)
            run_migrations(connection)
    finally:
        engine.dispose()


run()
