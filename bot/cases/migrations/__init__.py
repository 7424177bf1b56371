"""alembic's script directory for the case store: ``env.py`` and the revisions in
``versions/``. ``bot.cases.migrate`` runs them; ``python -m bot.cases.migrations`` is alembic's
command line on them (against DATABASE_URL, else the SQLite file), for writing a revision::

    python -m bot.cases.migrations revision --autogenerate --rev-id 0002 -m "what changes"
    python -m bot.cases.migrations history
"""
