"""python -m bot <command>: the helpline's command line."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start Redis, the action server and Rasa (what `make run` does)")
    chat = commands.add_parser("chat", help="chat with the running helpline (what `make shell` does)")
    chat.add_argument("--url", default=None, help="REST webhook URL (default: from RASA_PORT)")
    chat.add_argument("--sender", default=None, help="conversation id (default: a new one)")
    commands.add_parser("check", help="check settings and facts, and exit non-zero on any problem")
    commands.add_parser("triage", help="messages on stdin, one a line -> one JSON assessment a line")
    evaluate = commands.add_parser("eval", help="triage quality on the held-out set (what `make eval` runs)")
    evaluate.add_argument("rest", nargs=argparse.REMAINDER)
    directory = commands.add_parser("directory", help="referral directory tools: `directory check`")
    directory.add_argument("rest", nargs=argparse.REMAINDER)
    fees = commands.add_parser("fees", help="recruitment-fee tools: `fees check` reads JSON on stdin")
    fees.add_argument("rest", nargs=argparse.REMAINDER)
    fake = commands.add_parser("fake-providers", help="fake Twilio/Telegram/Zalo APIs on localhost for tests and staging")
    fake.add_argument("--port", type=int, default=8099, help="port (0 = any free one; default 8099)")
    fake.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback)")
    officers = commands.add_parser("officers", help="officer accounts: `officers add|list|token|disable`")
    officers.add_argument("rest", nargs=argparse.REMAINDER)
    console = commands.add_parser("console", help="serve the officer console and its JSON API on CONSOLE_PORT")
    console.add_argument("--host", default=None, help="address to bind (default HELPLINE_HOST, 127.0.0.1)")
    console.add_argument("--port", type=int, default=None, help="port (default CONSOLE_PORT, 5080)")
    simulate = commands.add_parser("simulate", help='send a signed webhook: `simulate sms|telegram|zalo "text"`')
    simulate.add_argument("rest", nargs=argparse.REMAINDER)
    outbox = commands.add_parser("outbox", help="replies that could not be sent: `outbox dead|replay`")
    outbox.add_argument("rest", nargs=argparse.REMAINDER)
    telegram = commands.add_parser("telegram", help="Telegram channel tools: `telegram set-webhook`")
    telegram.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    if args.command == "triage":
        from bot.triage_cli import main as triage_main

        return triage_main()
    if args.command == "eval":
        from bot.evaluate import main as eval_main

        return eval_main(args.rest)
    if args.command == "directory":
        from bot.directory_check import main as directory_main

        return directory_main(args.rest)
    if args.command == "fake-providers":
        from channels.fake_providers import serve as serve_fake_providers

        return serve_fake_providers(args.host, args.port)
    if args.command == "fees":
        from bot.fees.cli import main as fees_main

        return fees_main(args.rest)
    if args.command == "simulate":
        from bot.simulate_cli import main as simulate_main

        return simulate_main(args.rest)
    if args.command == "outbox":
        from bot.outbox_cli import main as outbox_main

        return outbox_main(args.rest)
    if args.command == "telegram":
        from channels.telegram import main as telegram_main

        return telegram_main(args.rest)
    if args.command == "officers":
        from bot.cases.cli import main as officers_main

        return officers_main(args.rest)
    if args.command == "console":
        from bot.console.cli import serve as serve_console

        return serve_console(args.host, args.port)

    if args.command == "run":
        from bot.run import main as run_main

        return run_main()
    if args.command == "chat":
        from bot.chat import chat as run_chat
        from bot.settings import Settings

        url = args.url or f"http://127.0.0.1:{Settings().rasa_port}/webhooks/rest/webhook"
        return run_chat(url, args.sender)
    if args.command == "check":
        from bot.directory import DirectoryError, load_directory
        from bot.fees import FeeRulesError, load_rules
        from bot.messages import catalogue
        from bot.settings import SettingsError, load_settings

        try:
            settings = load_settings()
            services = load_directory()
            rules = load_rules()
            messages = catalogue()
        except (SettingsError, DirectoryError, FeeRulesError, ValueError) as error:
            print(error, file=sys.stderr)
            return 2
        channels = ", ".join(settings.enabled_channels()) or "none (REST only)"
        print(
            f"Settings valid. Channels enabled: {channels}. Directory: {len(services)} services. "
            f"Fee rules: {len(rules)}. Messages: {len(messages)}."
        )
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
