"""Services as a short SMS: ``render_services(services, language)``, one line a service.

Each line gives the service's short name, the number to call (or, without a phone, a website
or an email address, never a social-media group), its hours, and "(unverified)" when the project
is not sure of it. A police line is followed by its warning on a line of its own.
"""
from __future__ import annotations

from typing import Optional, Sequence

from bot.facts.base import Confidence
from bot.facts.directory.models import ContactKind, Service

_UNVERIFIED = {"vi": "(chưa xác minh)", "en": "(unverified)"}
_HEADER = {"vi": "Bạn có thể liên hệ:", "en": "You can contact:"}


def _contact_text(service: Service) -> Optional[str]:
    if service.phones:
        return None
    for contact in service.contacts:
        if contact.kind in (ContactKind.website, ContactKind.email):
            return contact.value
    return str(service.website) if service.website else None


def render_services(services: Sequence[Service], language: str, header: bool = True) -> str:
    """A short SMS: one line a service, with its short name, number and hours.

    Low-confidence services are marked as unverified; medium ones carry no mark.
    """
    language = "en" if language == "en" else "vi"
    lines = [_HEADER[language]] if header and services else []
    for service in services:
        name = service.short_name(language)
        line = f"- {name}"
        if service.phones:
            phone = service.phones[0]
            if phone.display not in name or phone.extension or phone.sms_only:
                line += f": {phone.text(language)}"  # "Police 110", not "Police 110: 110"
        else:
            reach = _contact_text(service)
            if reach:
                line += f": {reach}"
        hours = service.hours_text(language)
        if hours:
            line += f" ({hours})"
        if service.confidence == Confidence.low:
            line += f" {_UNVERIFIED[language]}"
        lines.append(line)
        if service.warning:
            lines.append(f"  {service.warning.get(language)}")
    return "\n".join(lines)
