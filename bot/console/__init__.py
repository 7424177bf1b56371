"""The officer console: a web app on its own port (CONSOLE_PORT, default 5080) with a JSON API.

- ``bot.console.app``: ``create_app(store, officers, actions, secret_key=...)``, middleware,
  security headers, background jobs.
- ``bot.console.views``: login, queue, case page, case actions (HTML forms with CSRF tokens).
- ``bot.console.api``: ``/api/cases`` with bearer tokens.
- ``bot.console.security``: signed sessions, CSRF tokens, login lockout, the secret key.
- ``bot.console.pages`` / ``bot.console.i18n``: the HTML (MarkupSafe-escaped) and its words in
  Vietnamese and English.
- ``bot.cli.console``: ``python -m bot console``.
"""
from bot.console.app import create_app

__all__ = ["create_app"]
