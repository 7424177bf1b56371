"""python -m bot <command>: the helpline's command line, one subcommand a module of bot/cli/."""
from __future__ import annotations

import argparse
import importlib
import sys

# Commands that hand the rest of the command line to their own parser: name -> (module, help).
FORWARDED = {
    "eval": ("bot.cli.evaluate", "triage quality on the held-out set (what `make eval` runs)"),
    "directory": ("bot.cli.directory", "referral directory tools: `directory check`"),
    "fees": ("bot.cli.fees", "recruitment-fee tools: `fees check` reads JSON on stdin"),
    "officers": ("bot.cli.officers", "officer accounts: `officers add|list|token|disable`"),
    "simulate": ("bot.cli.simulate", 'send a signed webhook: `simulate sms|telegram|zalo "text"`'),
    "outbox": ("bot.cli.outbox", "replies that could not be sent: `outbox dead|replay`"),
    "telegram": ("channels.telegram", "Telegram channel tools: `telegram set-webhook`"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in FORWARDED:  # before argparse, which would take "--data" as its own
        return importlib.import_module(FORWARDED[argv[0]][0]).main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start Redis, the action server, Rasa and the console (what `make run` does)")
    chat = commands.add_parser("chat", help="chat with the running helpline (what `make shell` does)")
    chat.add_argument("--url", default=None, help="REST webhook URL (default: from RASA_PORT)")
    chat.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    commands.add_parser("check", help="check settings and facts, and exit non-zero on any problem")
    commands.add_parser("triage", help="messages on stdin, one a line -> one JSON assessment a line")
    for name, (_module, summary) in FORWARDED.items():
        commands.add_parser(name, help=summary).add_argument("rest", nargs=argparse.REMAINDER)
    fake = commands.add_parser("fake-providers", help="fake Twilio/Telegram/Zalo APIs on localhost for tests and staging")
    fake.add_argument("--port", type=int, default=8099, help="port (0 = any free one; default 8099)")
    fake.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback)")
    console = commands.add_parser("console", help="serve the officer console and its JSON API on CONSOLE_PORT")
    console.add_argument("--host", default=None, help="address to bind (default HELPLINE_HOST, 127.0.0.1)")
    console.add_argument("--port", type=int, default=None, help="port (default CONSOLE_PORT, 5080)")
    args = parser.parse_args(argv)

    if args.command == "triage":
        from bot.cli.triage import main as triage_main

        return triage_main()
    if args.command == "fake-providers":
        from channels.fakes import serve as serve_fake_providers

        return serve_fake_providers(args.host, args.port)
    if args.command == "console":
        from bot.cli.console import serve as serve_console

        return serve_console(args.host, args.port)
    if args.command == "run":
        from bot.cli.run import main as run_main

        return run_main()
    if args.command == "chat":
        from bot.cli.chat import chat as run_chat
        from bot.runtime.settings import Settings

        settings = Settings()
        url = args.url or f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"
        return run_chat(url, args.sender, settings.rest_token.get_secret_value() if settings.rest_token else None)
    if args.command == "check":
        from bot.cases.rota import RotaError, configured_rota
        from bot.facts.directory import DirectoryError, load_directory
        from bot.facts.fees import FeeRulesError, load_rules
        from bot.replies.catalogue import catalogue
        from bot.runtime.settings import SettingsError, load_settings

        try:
            settings = load_settings()
            services = load_directory()
            rules = load_rules()
            messages = catalogue()
            rota = configured_rota()
        except (SettingsError, DirectoryError, FeeRulesError, RotaError, ValueError) as error:
            print(error, file=sys.stderr)
            return 2
        channels = ", ".join(settings.enabled_channels()) or "none (REST only)"
        print(
            f"Settings valid. Channels enabled: {channels}. Directory: {len(services)} services. "
            f"Fee rules: {len(rules)}. Messages: {len(messages)}. "
            f"Duty rota: {f'{len(rota.officers)} officers and the desk' if rota else 'none (ROTA_FILE unset)'}."
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
