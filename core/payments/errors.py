"""Domain errors of payments; each carries a message id translated only in the bot."""

from __future__ import annotations

from core.errors import N_, Conflict, DomainError, InvalidInput


class PaymentsUnavailable(DomainError):
    """Stripe is unreachable, erroring or refusing our request: nothing was charged."""

    msgid = N_("payments.unavailable")


class CardDeclined(DomainError):
    """The card was declined (params: code, decline_code); another card may work."""

    msgid = N_("payments.card_declined")


class PaymentAccountNotReady(DomainError):
    """The professional's Stripe account cannot take charges yet (onboarding unfinished)."""

    msgid = N_("payments.account_not_ready")


class AmountTooSmall(InvalidInput):
    """Below the smallest amount Stripe charges in that currency (params: currency)."""

    msgid = N_("payments.amount_too_small")


class AmountNotChargeable(InvalidInput):
    """An amount Stripe cannot represent in that currency (params: currency, step)."""

    msgid = N_("payments.amount_not_chargeable")


class AlreadyRefunded(Conflict):
    """The payment has nothing left to refund."""

    msgid = N_("payments.already_refunded")


class InvalidHoldDuration(InvalidInput):
    """A payment deadline outside what the method allows (params: method, min, max)."""

    msgid = N_("payments.hold_duration")
