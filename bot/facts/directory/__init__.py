"""Referral services, loaded from facts/directory/*.yml and validated at load.

    from bot.facts.directory import lookup, render_services
    render_services(lookup("TW", "unpaid_wages", "vi", city="Taichung", sex="female"), "vi")

models.py holds the shape of a service, phones.py parses and checks its numbers, loader.py
reads the country files, ranking.py chooses the services to tell a worker (``lookup``,
``embassy``), render.py writes them as a short SMS and check.py lists what needs a human's
attention (``python -m bot directory check``).
"""
from bot.facts.base import Bilingual, Confidence
from bot.facts.directory.check import MAX_SOURCE_AGE_DAYS, CheckReport, check_directory, report
from bot.facts.directory.loader import (
    CITIZEN_PROTECTION_HOTLINE,
    COVERED_COUNTRIES,
    DIRECTORY_DIR,
    DirectoryError,
    citizen_protection_hotline,
    default_directory,
    load_country_caveats,
    load_directory,
)
from bot.facts.directory.models import (
    EMERGENCY_TYPES,
    Contact,
    ContactKind,
    Cost,
    Phone,
    Service,
    ServiceType,
    Sex,
)
from bot.facts.directory.phones import SHORT_CODES, PhoneError
from bot.facts.directory.ranking import embassy, lookup
from bot.facts.directory.render import render_services

__all__ = [
    "CITIZEN_PROTECTION_HOTLINE",
    "COVERED_COUNTRIES",
    "DIRECTORY_DIR",
    "EMERGENCY_TYPES",
    "MAX_SOURCE_AGE_DAYS",
    "SHORT_CODES",
    "Bilingual",
    "CheckReport",
    "Confidence",
    "Contact",
    "ContactKind",
    "Cost",
    "DirectoryError",
    "Phone",
    "PhoneError",
    "Service",
    "ServiceType",
    "Sex",
    "check_directory",
    "citizen_protection_hotline",
    "default_directory",
    "embassy",
    "load_country_caveats",
    "load_directory",
    "lookup",
    "render_services",
    "report",
]
