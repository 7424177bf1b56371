"""The console's HTML, built with MarkupSafe: ``Markup(...).format(...)`` escapes every value
that is not itself Markup, so worker text, names and store messages can never become markup.
No inline script or style (the Content-Security-Policy forbids them): behaviour lives in
/static/console.js, looks in /static/console.css.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, List, Mapping, Optional, Sequence

from markupsafe import Markup

from bot.cases.officers import OfficerAccount
from bot.cases.store import ACKNOWLEDGED, CLOSED, OPEN, TAKEN, Case, CaseEvent
from bot.console.i18n import LANGUAGES, translate
from bot.console.policy import MAX_REASON, MAX_TEXT, may_reply, sla_deadline

#: Event detail keys shown in the case history (never "text" of a message: that is the
#: transcript's, shown above; never anything else a future event might carry).
_DETAIL_KEYS = ("severity", "channel", "country", "language", "consent", "from", "to", "reason",
                "method", "officer", "attempt", "via", "from_status")


#: Actors of the helpline itself (its replies, and the messages CaseActions sends on take/close).
BOT_ACTORS = (None, "bot", "system")


@dataclass
class PageContext:
    lang: str
    path: str  # this page's path, for the language switch
    now: dt.datetime
    officer: Optional[OfficerAccount] = None
    csrf: Optional[str] = None
    names: Optional[Mapping[str, str]] = None  # username -> display name

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def name(self, username: Optional[str]) -> str:
        if not username:
            return self.t("nobody")
        return (self.names or {}).get(username, username)


# --- small pieces ------------------------------------------------------------------------------


def fmt_time(value: Optional[dt.datetime]) -> Markup:
    if value is None:
        return Markup("—")
    utc = value.astimezone(dt.timezone.utc)
    return Markup('<time datetime="{}">{}</time>').format(
        utc.isoformat(timespec="seconds"), utc.strftime("%Y-%m-%d %H:%M UTC")
    )


def fmt_duration(seconds: float) -> str:
    """``03:25``, ``1:03:25``, ``2d 01:03:25``: the same in both languages (and in console.js)."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours or days else f"{minutes:02d}:{secs:02d}"
    return f"{days}d {hours:02d}:{minutes:02d}:{secs:02d}" if days else text


def _epoch(value: dt.datetime) -> str:
    return f"{value.timestamp():.0f}"


def waiting_cell(ctx: PageContext, case: Case) -> Markup:
    since = case.created_at
    end = case.closed_at if case.status == CLOSED else None
    seconds = ((end or ctx.now) - since).total_seconds()
    if end is not None:
        return Markup('<span class="waiting">{}</span>').format(fmt_duration(seconds))
    return Markup('<span class="waiting" data-since="{}">{}</span>').format(_epoch(since), fmt_duration(seconds))


def sla_cell(ctx: PageContext, case: Case, sla: Mapping[str, int]) -> Markup:
    deadline = sla_deadline(case, sla)
    if deadline is None:
        return Markup('<span class="sla none">—</span>')
    if case.status != OPEN:
        acknowledged = case.acknowledged_at or case.taken_at
        late = acknowledged is not None and acknowledged > deadline
        return Markup('<span class="sla met{}">{}</span>').format(" late" if late else "", ctx.t("sla_met"))
    left = (deadline - ctx.now).total_seconds()
    overdue = left < 0
    return Markup(
        '<span class="sla{}" data-deadline="{}" data-left="{}" data-over="{}">{}</span>'
    ).format(
        " overdue" if overdue else "",
        _epoch(deadline),
        ctx.t("sla_left", time="{time}"),
        ctx.t("sla_overdue", time="{time}"),
        ctx.t("sla_overdue" if overdue else "sla_left", time=fmt_duration(left)),
    )


def severity_badge(ctx: PageContext, severity: str) -> Markup:
    return Markup('<span class="sev sev-{}">{}</span>').format(severity, ctx.t(f"sev_{severity}"))


def status_badge(ctx: PageContext, status: str) -> Markup:
    return Markup('<span class="status st-{}">{}</span>').format(status, ctx.t(f"st_{status}"))


def csrf_field(ctx: PageContext) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(ctx.csrf or "")


def _lang_switch(ctx: PageContext) -> Markup:
    other = next(lang for lang in LANGUAGES if lang != ctx.lang)
    return Markup('<a class="lang" href="{}?lang={}" lang="{}">{}</a>').format(
        ctx.path, other, other, ctx.t("other_language")
    )


def layout(ctx: PageContext, title: str, body: Markup, *, refresh: Optional[int] = None,
           flash: Optional[str] = None, error: Optional[str] = None) -> str:
    user = Markup("")
    if ctx.officer is not None:
        user = Markup(
            '<span class="who">{}</span>'
            '<form method="post" action="/logout" class="inline">{}<button type="submit" id="logout">{}</button></form>'
        ).format(ctx.t("signed_in_as", name=ctx.officer.display_name), csrf_field(ctx), ctx.t("logout"))
        nav = Markup('<a href="/queue">{}</a>').format(ctx.t("nav_queue"))
    else:
        nav = Markup("")
    messages = Markup("")
    if flash:
        messages += Markup('<p class="flash" id="flash" role="status">{}</p>').format(flash)
    if error:
        messages += Markup('<p class="error" id="error" role="alert">{}</p>').format(error)
    meta_refresh = Markup('<meta http-equiv="refresh" content="{}">').format(refresh) if refresh else Markup("")
    page = Markup(
        "<!doctype html>\n"
        '<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">{refresh}'
        "<title>{title} · {app}</title>"
        '<link rel="stylesheet" href="/static/console.css">'
        '<script src="/static/console.js" defer></script>'
        '</head><body data-now="{now}">'
        '<header><strong class="app">{app}</strong><nav>{nav}</nav>'
        '<div class="user">{lang_switch}{user}</div></header>'
        "<main>{messages}{body}</main></body></html>"
    ).format(
        lang=ctx.lang, refresh=meta_refresh, title=title, app=ctx.t("app_title"), now=_epoch(ctx.now),
        nav=nav, lang_switch=_lang_switch(ctx), user=user, messages=messages, body=body,
    )
    return str(page)


# --- pages ---------------------------------------------------------------------------------------


def login_page(ctx: PageContext, *, username: str = "", next_path: str = "",
               error: Optional[str] = None, notice: Optional[str] = None) -> str:
    body = Markup(
        '<section class="login"><h1>{title}</h1>'
        '<form method="post" action="/login" id="login-form">{csrf}'
        '<input type="hidden" name="next" value="{next}">'
        '<label>{user_label}<input name="username" id="username" autocomplete="username" '
        'autocapitalize="none" spellcheck="false" required maxlength="64" value="{username}"></label>'
        '<label>{password_label}<input type="password" name="password" id="password" '
        'autocomplete="current-password" required maxlength="1024"></label>'
        '<button type="submit" id="sign-in">{sign_in}</button></form></section>'
    ).format(
        title=ctx.t("login_title"), csrf=csrf_field(ctx), next=next_path, user_label=ctx.t("username"),
        username=username, password_label=ctx.t("password"), sign_in=ctx.t("sign_in"),
    )
    return layout(ctx, ctx.t("login_title"), body, flash=notice, error=error)


def queue_page(ctx: PageContext, cases: Sequence[Case], sla: Mapping[str, int]) -> str:
    if not cases:
        table = Markup('<p class="empty" id="queue-empty">{}</p>').format(ctx.t("queue_empty"))
    else:
        rows = Markup("").join(
            Markup(
                '<tr class="case sev-{sev}" id="case-{id}" data-case="{number}">'
                '<td><a href="/cases/{id}">{number}</a></td><td>{severity}</td><td>{country}</td>'
                "<td>{language}</td><td>{channel}</td><td>{status}</td><td>{officer}</td>"
                "<td>{waiting}</td><td>{sla}</td></tr>"
            ).format(
                sev=case.severity, id=case.id, number=case.number, severity=severity_badge(ctx, case.severity),
                country=case.country or ctx.t("unknown"), language=case.language, channel=case.channel,
                status=status_badge(ctx, case.status), officer=ctx.name(case.assigned_officer),
                waiting=waiting_cell(ctx, case), sla=sla_cell(ctx, case, sla),
            )
            for case in cases
        )
        headers = Markup("").join(
            Markup("<th>{}</th>").format(ctx.t(key))
            for key in ("col_case", "col_severity", "col_country", "col_language", "col_channel",
                        "col_status", "col_officer", "col_waiting", "col_sla")
        )
        table = Markup('<table class="queue" id="queue"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
            headers, rows
        )
    body = Markup('<h1>{}</h1><p class="note">{}</p>{}').format(ctx.t("queue_title"), ctx.t("queue_note"), table)
    return layout(ctx, ctx.t("queue_title"), body, refresh=30)


def _referrals(case: Case) -> List[str]:
    """Referrals the bot or an officer recorded in the case's events (``detail["referrals"]``:
    strings, or objects with name / phone / url)."""
    found: List[str] = []
    for event in case.events:
        items = event.detail.get("referrals") if isinstance(event.detail, dict) else None
        if isinstance(items, (str, dict)):
            items = [items]
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict):
                parts = [str(item[key]) for key in ("name", "title", "phone", "url") if item.get(key)]
                text = " · ".join(parts)
            else:
                text = str(item)
            if text and text not in found:
                found.append(text)
    return found


def _event_detail(ctx: PageContext, event: CaseEvent) -> Markup:
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.kind == "note":
        return Markup('<span class="note-text">{}</span>').format(detail.get("text", ""))
    if event.kind in ("message_in", "message_out"):
        return Markup("")
    parts = []
    for key in _DETAIL_KEYS:
        value = detail.get(key)
        if value is None or value == "" or isinstance(value, (dict, list)):
            continue
        if key in ("from", "to") and event.kind == "reassigned":
            value = ctx.name(str(value))
        parts.append(Markup("{}: {}").format(key, value))
    return Markup("; ").join(parts)


def _actor(ctx: PageContext, event: CaseEvent) -> str:
    if event.actor in BOT_ACTORS:
        return ctx.t("bot")
    if event.actor == "worker":
        return ctx.t("worker")
    return ctx.name(event.actor)


def case_page(ctx: PageContext, case: Case, sla: Mapping[str, int], reassign_to: Iterable[OfficerAccount],
              *, flash: Optional[str] = None, error: Optional[str] = None, reply_text: str = "") -> str:
    t = ctx.t
    info_rows = [
        ("col_status", Markup('<span id="case-status" data-status="{}">{}</span>').format(case.status, status_badge(ctx, case.status))),
        ("col_severity", severity_badge(ctx, case.severity)),
        ("col_country", case.country or t("unknown")),
        ("col_language", case.language),
        ("col_channel", case.channel),
        ("col_officer", Markup('<span id="case-officer">{}</span>').format(ctx.name(case.assigned_officer))),
        ("opened_at", fmt_time(case.created_at)),
        ("col_waiting", waiting_cell(ctx, case)),
        ("col_sla", sla_cell(ctx, case, sla)),
        ("conversation", Markup("<code>{}</code>").format(case.conversation_id)),
        ("consent", Markup('<span id="case-consent">{}</span>').format(t(f"consent_{case.consent}"))),
        ("contact_preference", t(f"pref_{case.contact_preference}") if case.contact_preference else "—"),
        ("contact_detail", case.contact_detail or "—"),
        ("summary", case.summary or "—"),
    ]
    info = Markup('<table class="info">{}</table>').format(
        Markup("").join(Markup("<tr><th>{}</th><td>{}</td></tr>").format(t(key), value) for key, value in info_rows)
    )

    referrals = _referrals(case)
    referral_list = (
        Markup('<ul id="referrals">{}</ul>').format(Markup("").join(Markup("<li>{}</li>").format(r) for r in referrals))
        if referrals else Markup('<p id="referrals" class="empty">{}</p>').format(t("no_referrals"))
    )

    messages = [e for e in case.events if e.kind in ("message_in", "message_out")]
    if messages:
        transcript = Markup('<ol class="transcript" id="transcript">{}</ol>').format(Markup("").join(
            Markup('<li class="msg {cls}"><div class="meta"><span class="from">{who}</span> {when}</div>'
                   '<div class="text">{text}</div></li>').format(
                cls="in" if e.kind == "message_in" else ("out" if e.actor in BOT_ACTORS else "out officer"),
                who=t("worker") if e.kind == "message_in" else _actor(ctx, e),
                when=fmt_time(e.created_at), text=e.detail.get("text", "") if isinstance(e.detail, dict) else "",
            )
            for e in messages
        ))
    else:
        transcript = Markup('<p id="transcript" class="empty">{}</p>').format(t("no_messages"))

    history = Markup('<table class="events" id="events"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>').format(
        t("col_time"), t("col_event"), t("col_actor"), t("col_detail"),
        Markup("").join(
            Markup('<tr class="ev-{kind}"><td>{when}</td><td>{what}</td><td>{who}</td><td>{detail}</td></tr>').format(
                kind=e.kind, when=fmt_time(e.created_at), what=t(f"ev_{e.kind}"), who=_actor(ctx, e),
                detail=_event_detail(ctx, e),
            )
            for e in case.events
        ),
    )

    body = Markup(
        '<p><a href="/queue">{back}</a></p><h1 id="case-title">{title}</h1>'
        '<div class="case-grid"><section class="col"><h2>{details}</h2>{info}'
        '<h2>{ref_title}</h2>{referrals}</section>'
        '<section class="col wide"><h2>{tr_title}</h2>{transcript}{actions}</section></div>'
        '<section><h2>{ev_title}</h2>{history}</section>'
    ).format(
        back=t("back_to_queue"), title=t("case_title", number=case.number), details=t("details"), info=info,
        ref_title=t("referrals"), referrals=referral_list, tr_title=t("transcript"), transcript=transcript,
        actions=_actions(ctx, case, list(reassign_to), reply_text), ev_title=t("events"), history=history,
    )
    return layout(ctx, t("case_title", number=case.number), body, flash=flash, error=error)


def _form(ctx: PageContext, case: Case, action: str, inner: Markup, button: str, *, css: str = "") -> Markup:
    return Markup(
        '<form method="post" action="/cases/{id}/{action}" class="action {css}" id="form-{action}">{csrf}{inner}'
        '<button type="submit" id="{action}-button">{button}</button></form>'
    ).format(id=case.id, action=action, css=css, csrf=csrf_field(ctx), inner=inner, button=button)


def _actions(ctx: PageContext, case: Case, reassign_to: List[OfficerAccount], reply_text: str) -> Markup:
    t = ctx.t
    me = ctx.officer.username if ctx.officer else None
    parts: List[Markup] = []
    if case.status == CLOSED:
        parts.append(Markup('<p class="closed" id="closed-notice">{}</p>').format(t("closed_notice")))
    else:
        if case.status == OPEN:
            parts.append(_form(ctx, case, "ack", Markup(""), t("acknowledge")))
        if case.status == OPEN or (case.status == ACKNOWLEDGED and case.assigned_officer in (None, me)):
            parts.append(_form(ctx, case, "take", Markup(""), t("take")))
        if me is not None and may_reply(case, me):
            hint = t("reply_hint", channel=case.channel)
            if case.status != TAKEN:
                hint += " " + t("reply_takes")
            parts.append(_form(
                ctx, case, "reply",
                Markup('<label for="reply-text">{}</label><textarea name="text" id="reply-text" rows="4" '
                       'maxlength="{}" required>{}</textarea><p class="hint">{}</p>').format(
                    t("reply"), MAX_TEXT, reply_text, hint),
                t("send"), css="reply",
            ))
        else:
            parts.append(Markup('<p class="hint" id="reply-not-yours">{}</p>').format(
                t("not_yours", officer=ctx.name(case.assigned_officer))))
        candidates = [o for o in reassign_to if o.username != case.assigned_officer]
        if candidates:
            options = Markup("").join(
                Markup('<option value="{}">{} ({})</option>').format(o.username, o.display_name, o.username)
                for o in candidates
            )
            parts.append(_form(
                ctx, case, "reassign",
                Markup('<label>{}<select name="to" id="reassign-to">{}</select></label>'
                       '<label>{}<input name="reason" id="reassign-reason" maxlength="{}"></label>').format(
                    t("to_officer"), options, t("reason"), MAX_REASON),
                t("reassign"),
            ))
        parts.append(_form(
            ctx, case, "close",
            Markup('<label>{}<input name="reason" id="close-reason" maxlength="{}"></label>'
                   '<p class="hint">{}</p>').format(t("reason"), MAX_REASON, t("close_hint")),
            t("close"), css="danger",
        ))
    parts.append(_form(
        ctx, case, "note",
        Markup('<label for="note-text">{}</label><textarea name="text" id="note-text" rows="2" maxlength="{}" required>'
               '</textarea>').format(t("note"), MAX_TEXT),
        t("add_note"),
    ))
    return Markup('<div class="actions" id="actions"><h2>{}</h2>{}</div>').format(t("actions"), Markup("").join(parts))


def error_page(ctx: PageContext, title: str, message: str, retry: Optional[str] = None) -> str:
    if retry:
        link = Markup('<a href="{}" id="retry">{}</a>').format(retry, ctx.t("try_again"))
    elif ctx.officer:
        link = Markup('<a href="/queue">{}</a>').format(ctx.t("back_to_queue"))
    else:
        link = Markup('<a href="/login">{}</a>').format(ctx.t("login_title"))
    body = Markup('<h1>{}</h1><p id="error-message">{}</p><p>{}</p>').format(title, message, link)
    return layout(ctx, title, body)
