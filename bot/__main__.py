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
    args = parser.parse_args(argv)

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
        from bot.settings import SettingsError, load_settings

        try:
            settings = load_settings()
            services = load_directory()
        except (SettingsError, DirectoryError) as error:
            print(error, file=sys.stderr)
            return 2
        channels = ", ".join(settings.enabled_channels()) or "none (REST only)"
        print(f"Settings valid. Channels enabled: {channels}. Directory: {len(services)} services.")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
