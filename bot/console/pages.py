"""The console's HTML, built with MarkupSafe: ``Markup(...).format(...)`` escapes every value
that is not itself Markup, so worker text, names and store messages can never become markup.
No inline script or style (the Content-Security-Policy forbids them): behaviour lives in
/static/console.js, looks in /static/console.css.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from markupsafe import Markup

from bot.cases.officers import OfficerAccount
from bot.cases.store import CLOSED, OPEN, Case
from bot.console.i18n import LANGUAGES, translate
from bot.console.policy import sla_deadline

QUEUE_COLUMNS = ("col_case", "col_severity", "col_country", "col_language", "col_channel",
                 "col_status", "col_officer", "col_waiting", "col_sla")


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
        '<div class="user"><span class="tz" id="tz" hidden data-label="{times_in}"></span>{lang_switch}{user}</div></header>'
        "<main>{messages}{body}</main></body></html>"
    ).format(
        lang=ctx.lang, refresh=meta_refresh, title=title, app=ctx.t("app_title"), now=_epoch(ctx.now),
        nav=nav, lang_switch=_lang_switch(ctx), user=user, messages=messages, body=body,
        times_in=ctx.t("times_in", zone="{zone}"),
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
        labels = {key: ctx.t(key) for key in QUEUE_COLUMNS}
        rows = Markup("").join(
            Markup(
                '<tr class="case sev-{sev}" id="case-{id}" data-case="{number}">'
                '<td class="c-case" data-label="{l[col_case]}"><a href="/cases/{id}">{number}</a></td>'
                '<td class="c-sev" data-label="{l[col_severity]}">{severity}</td>'
                '<td class="c-country" data-label="{l[col_country]}">{country}</td>'
                '<td class="c-lang" data-label="{l[col_language]}">{language}</td>'
                '<td class="c-channel" data-label="{l[col_channel]}">{channel}</td>'
                '<td class="c-status" data-label="{l[col_status]}">{status}</td>'
                '<td class="c-officer" data-label="{l[col_officer]}">{officer}</td>'
                '<td class="c-waiting" data-label="{l[col_waiting]}">{waiting}</td>'
                '<td class="c-sla" data-label="{l[col_sla]}">{sla}</td></tr>'
            ).format(
                sev=case.severity, id=case.id, number=case.number, severity=severity_badge(ctx, case.severity),
                country=case.country or ctx.t("unknown"), language=case.language, channel=case.channel,
                status=status_badge(ctx, case.status), officer=ctx.name(case.assigned_officer),
                waiting=waiting_cell(ctx, case), sla=sla_cell(ctx, case, sla), l=labels,
            )
            for case in cases
        )
        headers = Markup("").join(
            Markup("<th>{}</th>").format(ctx.t(key))
            for key in QUEUE_COLUMNS
        )
        table = Markup('<table class="queue" id="queue"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
            headers, rows
        )
    body = Markup('<h1>{}</h1><p class="note">{}</p>{}').format(ctx.t("queue_title"), ctx.t("queue_note"), table)
    return layout(ctx, ctx.t("queue_title"), body, refresh=30)


def error_page(ctx: PageContext, title: str, message: str, retry: Optional[str] = None) -> str:
    if retry:
        link = Markup('<a href="{}" id="retry">{}</a>').format(retry, ctx.t("try_again"))
    elif ctx.officer:
        link = Markup('<a href="/queue">{}</a>').format(ctx.t("back_to_queue"))
    else:
        link = Markup('<a href="/login">{}</a>').format(ctx.t("login_title"))
    body = Markup('<h1>{}</h1><p id="error-message">{}</p><p>{}</p>').format(title, message, link)
    return layout(ctx, title, body)
