"""The officer console: a web app on its own port (CONSOLE_PORT, default 5080) with a JSON API.

- ``bot.console.app``: ``create_app(store, officers, actions, secret_key=...)`` puts the app
  together (blueprints, middleware, error handler, background jobs).
- ``bot.console.views``: the pages blueprint: login, queue, case page, case actions (HTML forms
  with CSRF tokens) and the static files.
- ``bot.console.api``: the API blueprint, ``/api/cases`` with bearer tokens.
- ``bot.console.health``: ``/health``.
- ``bot.console.request_helpers``: what both blueprints share (session officer, page context,
  CSRF check, error responses, logging unexpected errors).
- ``bot.console.middleware``: sessions, security headers and the log line of every request.
- ``bot.console.operations`` / ``bot.console.policy``: case access, input checks, the case
  actions, SLA and reply rules.
- ``bot.console.security``: signed sessions, CSRF tokens, login lockout, the secret key.
- ``bot.console.pages`` / ``bot.console.i18n``: the HTML (MarkupSafe-escaped) and its words in
  Vietnamese and English.
- ``bot.cli.console``: ``python -m bot console``, composing the app with the real
  ``bot.escalation.case_actions.CaseActions``.

This package imports none of its modules, so importing one never imports the others.
"""
