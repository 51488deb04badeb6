"""Money rules: minor units per currency, deposits, what is due at booking, refunds by policy.

Every amount is an integer count of the currency's minor unit as ISO 4217 defines it
(cents for BRL/USD/EUR, whole yen for JPY, fils for KWD): `exponent` says how many
decimals that unit is. The data is Babel's (CLDR) where CLDR agrees with ISO 4217; CLDR
gives its *practical* digits for some currencies (COP, HUF, IDR... shown without
decimals), and for those ISO's exponent wins (`ISO_EXPONENT_EXCEPTIONS`).

Stripe counts amounts in its own units (`stripe_exponent`): its zero-decimal currencies
are ISO's zero-decimal ones (plus MGA, which ISO gives two decimals), ISK keeps two
decimals in Stripe's API for backwards compatibility though it is zero-decimal in ISO,
and its three-decimal currencies (BHD, JOD, KWD, OMR, TND) must end in 0. `to_stripe`
and `from_stripe` convert, and `charge_step` is the increment, in our units, that
Stripe can charge; deposits are rounded to it.

Formatting for a reader stays in the bot (`bot.formatting.format_money`, Babel).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import cache

from core.models.enums import PaymentType
from core.payments.errors import AmountNotChargeable
from core.validation import validate_currency

__all__ = [
    "ISO_EXPONENT_EXCEPTIONS",
    "STRIPE_THREE_DECIMAL",
    "STRIPE_ZERO_DECIMAL",
    "Deposit",
    "LateCancelRefund",
    "RefundCause",
    "RefundPolicy",
    "charge_step",
    "deposit",
    "due_at_booking",
    "due_later",
    "exponent",
    "from_stripe",
    "platform_fee",
    "refund_due",
    "stripe_exponent",
    "to_stripe",
]

# Where CLDR's digits (Babel 2.x: `get_currency_precision`) differ from ISO 4217's
# minor unit, for the currencies legal tender somewhere today (historic ones keep CLDR's).
# CLDR rounds these for display; ISO still has the minor unit and Stripe charges in it
# (COP, HUF, IDR... are two-decimal in Stripe too).
ISO_EXPONENT_EXCEPTIONS: dict[str, int] = {
    "AFN": 2,
    "ALL": 2,
    "COP": 2,
    "HUF": 2,
    "IDR": 2,
    "IQD": 3,
    "IRR": 2,
    "KPW": 2,
    "LAK": 2,
    "LBP": 2,
    "MGA": 2,
    "MMK": 2,
    "SOS": 2,
    "SYP": 2,
    "YER": 2,
}

# https://docs.stripe.com/currencies#zero-decimal and #three-decimal.
STRIPE_ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
STRIPE_THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
# ISK is zero-decimal in ISO 4217 but "represented as a two-decimal value" in Stripe's
# API (#special-cases): 5 ISK is amount=500, always a multiple of 100.


@cache
def exponent(currency: str) -> int:
    """Decimals of the currency's ISO 4217 minor unit: 2 for BRL, 0 for JPY, 3 for KWD."""
    from babel.numbers import get_currency_precision

    code = validate_currency(currency)
    if code in ISO_EXPONENT_EXCEPTIONS:
        return ISO_EXPONENT_EXCEPTIONS[code]
    return int(get_currency_precision(code))


def stripe_exponent(currency: str) -> int:
    """Decimals of the unit Stripe's API counts `currency` in."""
    code = validate_currency(currency)
    if code in STRIPE_ZERO_DECIMAL:
        return 0
    if code in STRIPE_THREE_DECIMAL:
        return 3
    # Everything else is two-decimal in Stripe's API, ISK included (see above).
    return 2


def charge_step(currency: str) -> int:
    """The smallest increment, in our minor units, that Stripe can charge in `currency`.

    1 almost everywhere; 10 for the three-decimal currencies (Stripe wants the last
    digit 0); 100 for MGA (ISO cents Stripe does not have); for IQD (ISO three decimals,
    two in Stripe) 10.
    """
    code = validate_currency(currency)
    ours, theirs = exponent(code), stripe_exponent(code)
    step = 10 ** max(0, ours - theirs)
    if code in STRIPE_THREE_DECIMAL:
        step *= 10
    return step


def to_stripe(amount: int, currency: str) -> int:
    """Our minor units as the `amount` Stripe expects; refuses what Stripe cannot charge."""
    code = validate_currency(currency)
    step = charge_step(code)
    if amount % step:
        raise AmountNotChargeable(field="amount", value=amount, currency=code, step=step)
    shift = stripe_exponent(code) - exponent(code)
    if shift >= 0:
        return amount * 10**shift
    return amount // 10**-shift


def from_stripe(amount: int, currency: str) -> int:
    """A Stripe `amount` back in our minor units (exact for anything Stripe charged)."""
    code = validate_currency(currency)
    shift = stripe_exponent(code) - exponent(code)
    if shift >= 0:
        # ISK: Stripe's "cents" are always 00; anything else is not a whole krona.
        return amount // 10**shift
    return amount * 10**-shift


# --- deposits and what is due ----------------------------------------------------------


@dataclass(frozen=True)
class Deposit:
    """A price split in two: `deposit` paid when booking, `remainder` later."""

    deposit: int
    remainder: int


def _check_amount(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer of minor units, not {value!r}")


def _check_percentage(percentage: int) -> None:
    if isinstance(percentage, bool) or not isinstance(percentage, int):
        raise ValueError(f"percentage must be an integer, not {percentage!r}")
    if not 0 <= percentage <= 100:
        raise ValueError(f"percentage must be 0 to 100, not {percentage}")


def deposit(price: int, percentage: int, currency: str) -> Deposit:
    """`percentage` of `price`, rounded half up to the currency's `charge_step`.

    The deposit never exceeds the price (100% is the whole price, 0% is nothing) and the
    remainder is `price - deposit`, so the two always add up to the price.
    """
    _check_amount("price", price)
    _check_percentage(percentage)
    if percentage == 100:
        return Deposit(price, 0)
    step = charge_step(currency)
    exact = Decimal(price) * percentage / 100 / step
    amount = min(price, int(exact.to_integral_value(rounding=ROUND_HALF_UP)) * step)
    return Deposit(amount, price - amount)


def due_at_booking(payment_type: PaymentType, price: int, percentage: int, currency: str) -> int:
    """What the client pays through the bot when booking."""
    if payment_type is PaymentType.upfront:
        _check_amount("price", price)
        return price
    if payment_type is PaymentType.partial:
        return deposit(price, percentage, currency).deposit
    # after_session is charged when the session is marked completed; none is outside the bot.
    return 0


def due_later(payment_type: PaymentType, price: int, percentage: int, currency: str) -> int:
    """What is left after booking: the remainder of a deposit (paid at the session),
    the whole price after the session, or nothing."""
    if payment_type is PaymentType.partial:
        return deposit(price, percentage, currency).remainder
    if payment_type is PaymentType.after_session:
        _check_amount("price", price)
        return price
    return 0


def platform_fee(amount: int, percent: Decimal | int, currency: str) -> int:
    """The platform's `application_fee_amount`: `percent` of `amount`, rounded down.

    Rounded down (to the charge step) so a professional never pays more than the stated
    percentage; 0 means no fee.
    """
    _check_amount("amount", amount)
    rate = Decimal(percent)
    if not 0 <= rate <= 100:
        raise ValueError(f"platform fee must be 0 to 100 percent, not {percent}")
    step = charge_step(currency)
    exact = Decimal(amount) * rate / 100 / step
    return int(exact.to_integral_value(rounding=ROUND_DOWN)) * step


# --- refunds by policy -----------------------------------------------------------------


class RefundCause(enum.StrEnum):
    """Why money may go back to the client."""

    client_cancelled = "client_cancelled"
    professional_cancelled = "professional_cancelled"
    professional_declined = "professional_declined"
    no_show = "no_show"
    # The payment arrived after the hold was released and the slot could not be kept.
    late_payment = "late_payment"


class LateCancelRefund(enum.StrEnum):
    """What a *full* payment gets back when the client cancels inside the notice.

    The professional's setting `late_cancel_refund`: `above_deposit` keeps the deposit
    share (`payment_percentage` of the price) and refunds the rest; `nothing` keeps it
    all. A deposit-only payment is kept either way.
    """

    above_deposit = "above_deposit"
    nothing = "nothing"


@dataclass(frozen=True)
class RefundPolicy:
    """The terms the client was shown when booking, frozen with the appointment."""

    payment_type: PaymentType
    payment_percentage: int
    cancellation_notice_minutes: int
    late_cancel_refund: LateCancelRefund = LateCancelRefund.above_deposit


def refund_due(
    *,
    cause: RefundCause,
    policy: RefundPolicy,
    price: int,
    currency: str,
    paid: int,
    already_refunded: int,
    starts_at: datetime,
    at: datetime,
) -> int:
    """How much to refund now, in minor units: never more than paid minus refunded.

    - the professional cancels or declines, or the payment came too late: everything paid;
    - the client cancels at least `cancellation_notice_minutes` before `starts_at`:
      everything paid;
    - the client cancels later: the deposit share of the price is kept and anything paid
      above it goes back (for a full payment only if `late_cancel_refund` says so);
    - a no-show: nothing.
    """
    for name, value in (("price", price), ("paid", paid), ("already_refunded", already_refunded)):
        _check_amount(name, value)
    if already_refunded > paid:
        raise ValueError(f"refunded {already_refunded} is more than the {paid} paid")
    _check_percentage(policy.payment_percentage)
    left = paid - already_refunded
    if cause in (
        RefundCause.professional_cancelled,
        RefundCause.professional_declined,
        RefundCause.late_payment,
    ):
        return left
    if cause is RefundCause.no_show:
        return 0
    notice = timedelta(minutes=policy.cancellation_notice_minutes)
    if starts_at - at >= notice:
        return left
    if policy.payment_type is PaymentType.upfront and (
        policy.late_cancel_refund is LateCancelRefund.nothing
    ):
        return 0
    kept = deposit(price, policy.payment_percentage, currency).deposit
    # What was refunded before already came out of the part above the deposit.
    return max(0, min(left, paid - kept - already_refunded))
