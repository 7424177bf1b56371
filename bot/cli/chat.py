"""`make shell`: chat with the running helpline over its REST channel, in this terminal."""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid


def send(url: str, sender: str, text: str, timeout: float = 60, token: str | None = None) -> list:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read().decode("utf-8"))


def chat(url: str, sender: str | None = None, token: str | None = None) -> int:
    sender = sender or f"shell-{uuid.uuid4().hex[:8]}"
    print(f"Talking to {url} as {sender}. Type a message; Ctrl-D or an empty line to quit.")
    while True:
        try:
            text = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not text:
            return 0
        try:
            replies = send(url, sender, text, token=token)
        except urllib.error.HTTPError as error:
            print(f"[{error.code}] {error.read().decode('utf-8', 'replace')}")
            continue
        except OSError as error:
            print(f"The helpline does not answer at {url} ({error}). Is `make run` running?", file=sys.stderr)
            return 1
        for reply in replies:
            print("bot>", reply.get("text", json.dumps(reply, ensure_ascii=False)))
            for number, button in enumerate(reply.get("buttons") or [], start=1):
                print(f"     {number}. {button.get('title')}")
