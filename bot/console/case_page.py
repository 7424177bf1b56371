"""The case page: the transcript and the reply box first, then the details, the referrals and
the event trail; the actions as plain forms (each with a CSRF token), closing behind a
confirmation step. HTML built with MarkupSafe as in bot.console.pages."""
from __future__ import annotations

from typing import Iterable, List, Mapping, Optional

from markupsafe import Markup

from bot.cases.officers import OfficerAccount
from bot.cases.store import ACKNOWLEDGED, CLOSED, OPEN, TAKEN, Case, CaseEvent
from bot.console.pages import (
    PageContext,
    csrf_field,
    fmt_time,
    layout,
    severity_badge,
    sla_cell,
    status_badge,
    waiting_cell,
)
from bot.console.policy import MAX_REASON, MAX_TEXT, may_reply

#: Event detail keys shown in the case history (never "text" of a message: that is the
#: transcript's, shown above; never anything else a future event might carry).
_DETAIL_KEYS = ("severity", "channel", "country", "language", "consent", "from", "to", "reason",
                "method", "officer", "attempt", "via", "from_status")


#: Actors of the helpline itself (its replies, and the messages CaseActions sends on take/close).
BOT_ACTORS = (None, "bot", "system")


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
              *, flash: Optional[str] = None, error: Optional[str] = None, reply_text: str = "",
              confirm_close: bool = False) -> str:
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
        transcript = Markup('<ol class="transcript" id="transcript">{}</ol>').format(
            Markup("").join(message_item(ctx, e) for e in messages))
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

    last_event = max((e.id for e in case.events), default=0)
    body = Markup(
        '<p><a href="/queue">{back}</a></p><h1 id="case-title">{title}</h1>'
        '<p class="live" id="live" hidden role="status"><span>{changed}</span> <a href="{path}" id="reload">{reload}</a></p>'
        '<div class="case-grid" id="case" data-case="{id}" data-status="{status}" data-last-event="{last}">'
        '<section class="col wide"><h2>{tr_title}</h2>{transcript}{actions}</section>'
        '<section class="col"><h2>{details}</h2>{info}<h2>{ref_title}</h2>{referrals}</section></div>'
        '<section><h2>{ev_title}</h2>{history}</section>'
    ).format(
        back=t("back_to_queue"), title=t("case_title", number=case.number), changed=t("live_changed"),
        path=ctx.path, reload=t("reload"), id=case.id, status=case.status, last=last_event,
        details=t("details"), info=info, ref_title=t("referrals"), referrals=referral_list, tr_title=t("transcript"),
        transcript=transcript, actions=_actions(ctx, case, list(reassign_to), reply_text, confirm_close),
        ev_title=t("events"), history=history,
    )
    return layout(ctx, t("case_title", number=case.number), body, flash=flash, error=error)


def message_item(ctx: PageContext, event: CaseEvent) -> Markup:
    """One message of the transcript; console.js builds the same for messages that arrive live."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    incoming = event.kind == "message_in"
    opening = incoming and bool(detail.get("opening"))
    cls = "in" if incoming else ("out" if event.actor in BOT_ACTORS else "out officer")
    mark = Markup(' <span class="opening-mark">{}</span>').format(ctx.t("opening_message")) if opening else Markup("")
    return Markup('<li class="msg {cls}{opening}" data-id="{id}"><div class="meta"><span class="from">{who}</span> '
                  '{when}{mark}</div><div class="text">{text}</div></li>').format(
        cls=cls, opening=" opening" if opening else "", id=event.id,
        who=ctx.t("worker") if incoming else _actor(ctx, event), when=fmt_time(event.created_at), mark=mark,
        text=detail.get("text", ""),
    )


def _form(ctx: PageContext, case: Case, action: str, inner: Markup, button: str, *, css: str = "") -> Markup:
    return Markup(
        '<form method="post" action="/cases/{id}/{action}" class="action {css}" id="form-{action}">{csrf}{inner}'
        '<button type="submit" id="{action}-button">{button}</button></form>'
    ).format(id=case.id, action=action, css=css, csrf=csrf_field(ctx), inner=inner, button=button)


def _actions(ctx: PageContext, case: Case, reassign_to: List[OfficerAccount], reply_text: str,
             confirm_close: bool = False) -> Markup:
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
                       'maxlength="{}" required aria-describedby="reply-budget">{}</textarea>'
                       '<p class="budget" id="reply-budget" aria-live="polite" data-url="/api/cases/{}/reply/preview">'
                       '</p><p class="hint">{}</p>').format(
                    t("reply"), MAX_TEXT, reply_text, case.id, hint),
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
        parts.append(_close_form(ctx, case, confirm_close))
    parts.append(_form(
        ctx, case, "note",
        Markup('<label for="note-text">{}</label><textarea name="text" id="note-text" rows="2" maxlength="{}" required>'
               '</textarea>').format(t("note"), MAX_TEXT),
        t("add_note"),
    ))
    return Markup('<div class="actions" id="actions"><h2>{}</h2>{}</div>').format(t("actions"), Markup("").join(parts))


def _close_form(ctx: PageContext, case: Case, confirming: bool) -> Markup:
    """Closing takes two steps: "Close the case", then "Yes, close the case" in the confirmation
    that appears in the page (console.js opens it without a round trip; without JavaScript the
    server shows it). Only a form that carries confirm=1 closes the case."""
    t = ctx.t
    return Markup(
        '<form method="post" action="/cases/{id}/close" class="action danger{opened}" id="form-close">{csrf}'
        '<label>{reason}<input name="reason" id="close-reason" maxlength="{max}"></label>'
        '<p class="hint">{hint}</p>'
        '<button type="submit" id="close-button" name="confirm" value="0"{hide_first}>{close}</button>'
        '<div class="confirm" id="close-confirm" role="alertdialog" aria-labelledby="close-question"{hide_confirm}>'
        '<p id="close-question">{question}</p>'
        '<button type="submit" id="close-yes" name="confirm" value="1">{yes}</button> '
        '<a href="/cases/{id}" class="cancel" id="close-cancel">{cancel}</a></div></form>'
    ).format(
        id=case.id, opened=" confirming" if confirming else "", csrf=csrf_field(ctx), reason=t("reason"),
        max=MAX_REASON, hint=t("close_hint"), hide_first=Markup(" hidden") if confirming else Markup(""),
        close=t("close"), hide_confirm=Markup("") if confirming else Markup(" hidden"),
        question=t("close_confirm", number=case.number), yes=t("close_confirm_yes"), cancel=t("cancel"),
    )
