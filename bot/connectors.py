"""The provider connectors as the helpline runs them: channels/ with escalation's routing.

credentials.yml names these classes. The channel layer knows nothing of duty officers; here, where
the application is composed, each connector gets the router that sends officers' commands to the
case store and keeps conversations an officer has taken away from the bot.
"""
from __future__ import annotations

from bot.escalation.routing import EscalationRouter
from channels import telegram, twilio, zalo


class TwilioInput(twilio.TwilioInput):
    router_factory = staticmethod(EscalationRouter)


class TelegramInput(telegram.TelegramInput):
    router_factory = staticmethod(EscalationRouter)


class ZaloInput(zalo.ZaloInput):
    router_factory = staticmethod(EscalationRouter)
