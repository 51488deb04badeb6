"""Money rules: minor units, Stripe's units, deposits, what is due, refunds by policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from babel.core import get_global
from babel.numbers import get_territory_currencies
from hypothesis import given, settings
from hypothesis import strategies as st

from core.models.enums import PaymentType
from core.payments import money
from core.payments.errors import AmountNotChargeable
from core.payments.money import LateCancelRefund, RefundCause, RefundPolicy, refund_due

# ISO 4217 (SIX, list one): every currency whose minor unit is not two decimals.
ISO_ZERO = set("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split())
ISO_THREE = set("BHD IQD JOD KWD LYD OMR TND".split())
ISO_FOUR = {"CLF", "UYW"}


def _legal_tender_today() -> set[str]:
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes |= set(get_territory_currencies(territory, date(2026, 6, 1), tender=True))
    return codes


CURRENCIES = sorted(_legal_tender_today())


# --- minor units --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("BRL", 2), ("usd", 2), ("JPY", 0), ("CLP", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)],
)
def test_minor_units_follow_iso_4217(currency: str, exponent: int) -> None:
    assert money.exponent(currency) == exponent


def test_every_currency_in_use_has_its_iso_minor_unit_whatever_cldr_shows() -> None:
    for code in CURRENCIES:
        iso = 0 if code in ISO_ZERO else 3 if code in ISO_THREE else 4 if code in ISO_FOUR else 2
        assert money.exponent(code) == iso, code


def test_stripe_counts_iceland_in_hundredths_and_madagascar_in_whole_ariary() -> None:
    assert money.to_stripe(5, "ISK") == 500  # 5 ISK is amount=500 at Stripe
    assert money.from_stripe(500, "ISK") == 5
    assert money.to_stripe(150_000, "MGA") == 1500
    assert money.charge_step("MGA") == 100


def test_three_decimal_currencies_are_charged_in_tens_of_fils() -> None:
    assert money.to_stripe(5120, "KWD") == 5120
    with pytest.raises(AmountNotChargeable) as caught:
        money.to_stripe(5124, "KWD")
    assert caught.value.params == {"field": "amount", "value": 5124, "currency": "KWD", "step": 10}


@pytest.mark.parametrize("currency", ["BRL", "USD", "EUR", "JPY", "CLP", "KRW", "COP", "HUF"])
def test_common_currencies_go_to_stripe_unchanged(currency: str) -> None:
    assert money.to_stripe(12345, currency) == 12345 == money.from_stripe(12345, currency)


# --- deposits -----------------------------------------------------------------------------


def test_a_forty_percent_deposit_of_150_reais_is_60_with_90_left() -> None:
    assert money.deposit(15000, 40, "BRL") == money.Deposit(6000, 9000)


def test_deposits_round_half_up_to_the_smallest_unit() -> None:
    assert money.deposit(1999, 50, "BRL").deposit == 1000  # 999.5 centavos -> 1000
    assert money.deposit(1001, 50, "JPY").deposit == 501  # 500.5 yen -> 501
    assert money.deposit(1003, 50, "JPY").deposit == 502  # 501.5 yen -> 502
    assert money.deposit(10_050, 30, "KWD").deposit == 3020  # 3015 fils -> 3020 (tens)


def test_no_deposit_and_a_whole_deposit_are_exact() -> None:
    assert money.deposit(15, 0, "KWD") == money.Deposit(0, 15)
    assert money.deposit(15, 100, "KWD") == money.Deposit(15, 0)


@pytest.mark.parametrize(
    ("payment_type", "at_booking", "later"),
    [
        (PaymentType.upfront, 15000, 0),
        (PaymentType.partial, 6000, 9000),
        (PaymentType.after_session, 0, 15000),
        (PaymentType.none, 0, 0),
    ],
)
def test_what_each_payment_type_charges_at_booking_and_after(
    payment_type: PaymentType, at_booking: int, later: int
) -> None:
    assert money.due_at_booking(payment_type, 15000, 40, "BRL") == at_booking
    assert money.due_later(payment_type, 15000, 40, "BRL") == later


# No deadline: a loaded CI machine is slow, not wrong.
@settings(deadline=None)
@given(
    currency=st.sampled_from(CURRENCIES),
    price=st.integers(0, 10**12),
    percentage=st.integers(0, 100),
)
def test_deposit_and_remainder_always_add_up_to_the_price(
    currency: str, price: int, percentage: int
) -> None:
    split = money.deposit(price, percentage, currency)
    assert split.deposit + split.remainder == price
    assert 0 <= split.deposit <= price
    # Either a chargeable multiple of the step or the whole price (a price off the step
    # cannot be charged anyway, and the setting that made it is refused upstream).
    assert split.deposit % money.charge_step(currency) == 0 or split.deposit == price


# No deadline: a loaded CI machine is slow, not wrong.
@settings(deadline=None)
@given(
    currency=st.sampled_from(CURRENCIES),
    amount=st.integers(0, 10**12),
    percent=st.decimals(0, 100, places=2),
)
def test_the_platform_fee_never_exceeds_its_percentage(
    currency: str, amount: int, percent: Decimal
) -> None:
    fee = money.platform_fee(amount, percent, currency)
    assert 0 <= fee <= amount * percent / 100


# --- refunds by policy --------------------------------------------------------------------

START = datetime(2026, 3, 12, 17, 0, tzinfo=UTC)
POLICY = RefundPolicy(PaymentType.upfront, 40, cancellation_notice_minutes=1440)


def _refund(cause: RefundCause, *, hours_before: float, **changes: object) -> int:
    args: dict[str, object] = {
        "cause": cause,
        "policy": POLICY,
        "price": 15000,
        "currency": "BRL",
        "paid": 15000,
        "already_refunded": 0,
        "starts_at": START,
        "at": START - timedelta(hours=hours_before),
    }
    args.update(changes)
    return refund_due(**args)  # type: ignore[arg-type]


def test_a_client_cancelling_with_the_notice_gets_everything_back() -> None:
    assert _refund(RefundCause.client_cancelled, hours_before=24) == 15000


def test_a_client_cancelling_late_keeps_only_the_deposit_share_from_a_full_payment() -> None:
    assert _refund(RefundCause.client_cancelled, hours_before=23.9) == 9000


def test_a_professional_who_refunds_nothing_late_keeps_a_full_payment() -> None:
    strict = RefundPolicy(PaymentType.upfront, 40, 1440, LateCancelRefund.nothing)
    assert _refund(RefundCause.client_cancelled, hours_before=2, policy=strict) == 0
    assert _refund(RefundCause.client_cancelled, hours_before=48, policy=strict) == 15000


def test_a_deposit_is_kept_when_the_client_cancels_late() -> None:
    partial = RefundPolicy(PaymentType.partial, 40, 1440)
    assert _refund(RefundCause.client_cancelled, hours_before=1, policy=partial, paid=6000) == 0
    assert _refund(RefundCause.client_cancelled, hours_before=30, policy=partial, paid=6000) == (
        6000
    )


@pytest.mark.parametrize(
    "cause",
    [
        RefundCause.professional_cancelled,
        RefundCause.professional_declined,
        RefundCause.late_payment,
    ],
)
def test_the_professional_cancelling_or_declining_refunds_in_full_even_at_the_last_minute(
    cause: RefundCause,
) -> None:
    assert _refund(cause, hours_before=0.1) == 15000


def test_a_no_show_is_not_refunded() -> None:
    assert _refund(RefundCause.no_show, hours_before=-1) == 0


def test_what_was_already_refunded_is_not_refunded_again() -> None:
    assert _refund(RefundCause.professional_cancelled, hours_before=1, already_refunded=9000) == (
        6000
    )
    # A late cancellation owed 9000; 5000 went back already, 4000 is left to give.
    assert _refund(RefundCause.client_cancelled, hours_before=1, already_refunded=5000) == 4000
    assert _refund(RefundCause.client_cancelled, hours_before=1, already_refunded=9000) == 0


def test_refunding_more_than_was_paid_is_a_bug_not_a_policy() -> None:
    with pytest.raises(ValueError):
        _refund(RefundCause.client_cancelled, hours_before=1, paid=100, already_refunded=200)


# No deadline: a loaded CI machine is slow, not wrong.
@settings(deadline=None)
@given(
    currency=st.sampled_from(CURRENCIES),
    cause=st.sampled_from(list(RefundCause)),
    payment_type=st.sampled_from([PaymentType.upfront, PaymentType.partial]),
    late=st.sampled_from(list(LateCancelRefund)),
    percentage=st.integers(0, 100),
    notice=st.integers(0, 43200),
    price=st.integers(0, 10**10),
    paid_share=st.floats(0, 1),
    refunded_share=st.floats(0, 1),
    minutes_before=st.integers(-600, 50000),
)
def test_a_refund_is_never_negative_nor_more_than_what_is_left(
    currency: str,
    cause: RefundCause,
    payment_type: PaymentType,
    late: LateCancelRefund,
    percentage: int,
    notice: int,
    price: int,
    paid_share: float,
    refunded_share: float,
    minutes_before: int,
) -> None:
    paid = int(price * paid_share)
    refunded = int(paid * refunded_share)
    policy = RefundPolicy(payment_type, percentage, notice, late)
    amount = refund_due(
        cause=cause,
        policy=policy,
        price=price,
        currency=currency,
        paid=paid,
        already_refunded=refunded,
        starts_at=START,
        at=START - timedelta(minutes=minutes_before),
    )
    assert 0 <= amount <= paid - refunded
    on_time = refund_due(
        cause=cause,
        policy=policy,
        price=price,
        currency=currency,
        paid=paid,
        already_refunded=refunded,
        starts_at=START,
        at=START - timedelta(minutes=notice),
    )
    # Cancelling earlier never gets a client less back.
    if cause is RefundCause.client_cancelled:
        assert on_time >= amount
