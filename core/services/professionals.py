"""Professionals: onboarding, the public profile behind a deep link, and settings.

Plan decision: a new professional starts on the `free` plan with `trial_ends_at` set to
14 days after registration; pro features are on while `has_pro(view, now=...)` is true
(a paid `pro` plan, or the trial still running). Payments later call `set_plan`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select, text

from core import errors
from core.db.uow import UnitOfWork
from core.models import PaymentType, PixKeyType, Plan, Profession, Professional
from core.services.access import require_professional, require_user
from core.validation import (
    SLUG_MAX,
    BusinessName,
    CurrencyCode,
    Email,
    InvalidSlug,
    Locale,
    Phone,
    TimezoneName,
    invalid_input_from,
    parse_money,
    slugify,
    validate_currency,
    validate_locale,
    validate_name,
    validate_pix_key,
    validate_timezone,
)

TRIAL = timedelta(days=14)
PRICE_MAX_CENTS = 100_000_000  # the column is a 32-bit integer
TEXT_MAX = {"bio": 2000, "welcome_message": 1000}
# Inclusive ranges of the numeric settings (the table's check constraints back them up).
RANGES: dict[str, tuple[int, int]] = {
    "session_duration": (5, 720),
    "price_cents": (0, PRICE_MAX_CENTS),
    "payment_percentage": (0, 100),
    "buffer_minutes": (0, 240),
    "min_notice_minutes": (0, 43200),
    "booking_horizon_days": (1, 365),
    "cancellation_notice_minutes": (0, 43200),
    "max_future_bookings": (1, 100),
    "morning_agenda_hour": (0, 23),
}
_SLUG_ATTEMPTS = 50


class ProfessionalNotFound(errors.NotFound):
    """No professional with that link (or one the reader may not see)."""

    msgid = errors.N_("professional.not_found")


class ProfessionalInactive(errors.NotFound):
    """The professional exists but is not taking bookings right now; params: name."""

    msgid = errors.N_("professional.inactive")


class SettingOutOfRange(errors.InvalidInput):
    """A numeric setting outside its range; params: field, value, min, max."""

    msgid = errors.N_("professional.setting_out_of_range")


class SettingRequired(errors.InvalidInput):
    """A setting that cannot be emptied, or one that needs another; params: field."""

    msgid = errors.N_("professional.setting_required")


class TextTooLong(errors.InvalidInput):
    """A bio or welcome message over its limit; params: field, max_length."""

    msgid = errors.N_("professional.text_too_long")


class PaymentPercentageMismatch(errors.InvalidInput):
    """Upfront means 100 %, partial 1-99 %; params: field, payment_type, value."""

    msgid = errors.N_("professional.payment_percentage")


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfessionalView:
    id: uuid.UUID
    user_id: int
    name: str
    slug: str
    profession: Profession
    bio: str | None
    welcome_message: str | None
    phone: str | None
    email: str | None
    session_duration: int
    price_cents: int
    currency: str
    payment_type: PaymentType
    payment_percentage: int
    auto_confirm: bool
    pix_key_type: PixKeyType | None
    pix_key: str | None
    buffer_minutes: int
    min_notice_minutes: int
    booking_horizon_days: int
    cancellation_notice_minutes: int
    max_future_bookings: int
    timezone: str
    locale: str
    active: bool
    morning_agenda_hour: int | None
    plan: Plan
    trial_ends_at: datetime | None


@dataclass(frozen=True)
class PublicProfile:
    id: uuid.UUID
    slug: str
    name: str
    profession: Profession
    bio: str | None
    welcome_message: str | None
    session_duration: int
    price_cents: int
    currency: str
    timezone: str
    payment_type: PaymentType
    payment_percentage: int
    cancellation_notice_minutes: int
    rating_average: Decimal | None
    review_count: int


def _view(p: Professional) -> ProfessionalView:
    return ProfessionalView(**{f: getattr(p, f) for f in ProfessionalView.__dataclass_fields__})


def has_pro(view: ProfessionalView, *, now: datetime) -> bool:
    """Whether pro features are on: the paid plan, or a trial still running."""
    return view.plan is Plan.pro or (view.trial_ends_at is not None and now < view.trial_ends_at)


# --- onboarding --------------------------------------------------------------------------


def _candidate(base: str, n: int) -> str:
    if n == 1:
        return base
    suffix = f"-{n}"
    return base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix


async def register(
    uow: UnitOfWork,
    *,
    name: str,
    profession: Profession | str,
    timezone: str,
    locale: str,
    currency: str,
    session_duration: int = 50,
    price_cents: int = 0,
    now: datetime,
) -> ProfessionalView:
    """Make the acting Telegram user a professional with a unique link slug and a trial."""
    user_id = require_user(uow)
    if uow.professional_id is not None:
        raise errors.AlreadyRegistered()
    clean_name = validate_name(name)
    try:
        kind = Profession(profession)
    except ValueError:
        raise errors.InvalidInput(field="profession", value=profession) from None
    _check_range("session_duration", session_duration)
    _check_range("price_cents", price_cents)
    try:
        base = slugify(clean_name)
    except InvalidSlug:  # a name in a non-Latin script: fall back to the profession
        base = slugify(kind.value)
    row_values: dict[str, Any] = {
        "user_id": user_id,
        "name": clean_name,
        "profession": kind,
        "timezone": validate_timezone(timezone),
        "locale": validate_locale(locale),
        "currency": validate_currency(currency),
        "session_duration": session_duration,
        "price_cents": price_cents,
        "plan": Plan.free,
        "trial_ends_at": now + TRIAL,
    }
    # Slugs of inactive professionals are hidden by RLS, so the unique constraint has the
    # last word: a refused candidate (or a racing registration) moves on to the next suffix.
    taken = set(
        await uow.session.scalars(
            select(Professional.slug).where(
                (Professional.slug == base) | Professional.slug.like(f"{base[:40]}%-%")
            )
        )
    )
    n = 1
    for _ in range(_SLUG_ATTEMPTS):
        while _candidate(base, n) in taken:
            n += 1
        row = Professional(slug=_candidate(base, n), **row_values)
        try:
            async with uow.savepoint():
                uow.session.add(row)
        except errors.SlugTaken:
            if row in uow.session:
                uow.session.expunge(row)
            taken.add(row.slug)
            continue
        await uow.session.refresh(row)  # load the server defaults of the other settings
        await uow.refresh_professional()  # the database derives it from the acting user
        return _view(row)
    raise errors.SlugTaken(slug=base)


# --- reading -----------------------------------------------------------------------------


async def _public(uow: UnitOfWork, p: Professional) -> PublicProfile:
    if not p.active:
        raise ProfessionalInactive(name=p.name)
    rated = func.professional_rating(p.id).table_valued("average", "count")
    average, count = (await uow.session.execute(select(rated.c.average, rated.c.count))).one()
    return PublicProfile(
        id=p.id,
        slug=p.slug,
        name=p.name,
        profession=p.profession,
        bio=p.bio,
        welcome_message=p.welcome_message,
        session_duration=p.session_duration,
        price_cents=p.price_cents,
        currency=p.currency,
        timezone=p.timezone,
        payment_type=p.payment_type,
        payment_percentage=p.payment_percentage,
        cancellation_notice_minutes=p.cancellation_notice_minutes,
        rating_average=average,
        review_count=int(count),
    )


async def get_by_slug(uow: UnitOfWork, *, slug: str) -> PublicProfile:
    """The public profile behind a deep link; ProfessionalNotFound or ProfessionalInactive."""
    p = await uow.session.scalar(select(Professional).where(Professional.slug == slug.strip()))
    if p is None:
        # Row-level security hides inactive profiles; tell "unknown" from "not taking bookings".
        status = (
            await uow.session.execute(
                text("SELECT active, name FROM professional_link_status(:slug)"),
                {"slug": slug.strip()},
            )
        ).first()
        if status is not None and not status.active:
            raise ProfessionalInactive(name=status.name)
        raise ProfessionalNotFound(slug=slug)
    return await _public(uow, p)


async def get_public(uow: UnitOfWork, *, professional_id: uuid.UUID) -> PublicProfile:
    """The public profile of a professional by id."""
    p = await uow.session.get(Professional, professional_id)
    if p is None:
        raise ProfessionalNotFound()
    return await _public(uow, p)


async def get_me(uow: UnitOfWork) -> ProfessionalView:
    """Every setting of the acting professional."""
    p = await uow.session.get(Professional, require_professional(uow))
    if p is None:
        raise ProfessionalNotFound()
    return _view(p)


# --- settings ----------------------------------------------------------------------------


def _check_range(field: str, value: int) -> None:
    low, high = RANGES[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingOutOfRange(field=field, value=value, min=low, max=high)


def _typed_price(value: Any) -> Any:
    """Read a typed price; unlike a payment amount, a price may be zero (free sessions)."""
    if not isinstance(value, str):
        return value
    try:
        return parse_money(value, field="price_cents", allow_zero=True)
    except errors.InvalidInput as exc:
        raise PydanticCustomError(exc.msgid, exc.msgid, dict(exc.params)) from exc


PriceCents = Annotated[int, BeforeValidator(_typed_price)]


class SettingsChange(BaseModel):
    """The settings to change; only fields given are touched (None clears a nullable one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: BusinessName | None = None
    bio: str | None = None
    welcome_message: str | None = None
    session_duration: int | None = None
    price_cents: PriceCents | None = None
    currency: CurrencyCode | None = None
    payment_type: PaymentType | None = None
    payment_percentage: int | None = None
    auto_confirm: bool | None = None
    pix_key_type: PixKeyType | None = None
    pix_key: str | None = None
    buffer_minutes: int | None = None
    min_notice_minutes: int | None = None
    booking_horizon_days: int | None = None
    cancellation_notice_minutes: int | None = None
    max_future_bookings: int | None = None
    timezone: TimezoneName | None = None
    locale: Locale | None = None
    active: bool | None = None
    morning_agenda_hour: int | None = None
    phone: Phone | None = None
    email: Email | None = None

    @field_validator(*RANGES, mode="after")
    @classmethod
    def _in_range(cls, value: int | None, info: Any) -> int | None:
        if value is not None:
            low, high = RANGES[info.field_name]
            if not low <= value <= high:
                raise PydanticCustomError(
                    SettingOutOfRange.msgid, SettingOutOfRange.msgid, {"min": low, "max": high}
                )
        return value

    @field_validator("bio", "welcome_message", mode="after")
    @classmethod
    def _text(cls, value: str | None, info: Any) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value.strip()) > TEXT_MAX[info.field_name]:
            raise PydanticCustomError(
                TextTooLong.msgid, TextTooLong.msgid, {"max_length": TEXT_MAX[info.field_name]}
            )
        return value.strip()

    @classmethod
    def of(cls, **values: Any) -> SettingsChange:
        """Build a change, turning pydantic's complaint into the domain error for the field."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise _domain_error(exc) from None


def _domain_error(exc: ValidationError) -> errors.InvalidInput:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    ctx = first.get("ctx") or {}
    if first["type"] == SettingOutOfRange.msgid:
        return SettingOutOfRange(field=field, value=first.get("input"), **ctx)
    if first["type"] == TextTooLong.msgid:
        return TextTooLong(field=field, **ctx)
    return invalid_input_from(exc)


_NOT_NULL = {
    name for name in SettingsChange.model_fields if not Professional.__table__.c[name].nullable
}


def _apply_payment(p: Professional, given: dict[str, Any]) -> None:
    kind = given.get("payment_type", p.payment_type)
    if "payment_percentage" in given:
        pct = given["payment_percentage"]
    elif "payment_type" in given:
        pct = 100 if kind is not PaymentType.partial else p.payment_percentage
    else:
        return
    if kind is PaymentType.upfront and pct != 100:
        raise PaymentPercentageMismatch(field="payment_percentage", payment_type=kind, value=pct)
    if kind is PaymentType.partial and not 1 <= pct <= 99:
        raise PaymentPercentageMismatch(field="payment_percentage", payment_type=kind, value=pct)
    p.payment_percentage = pct


def _apply_pix(p: Professional, given: dict[str, Any]) -> None:
    if "pix_key_type" not in given and "pix_key" not in given:
        return
    kind = given.get("pix_key_type", p.pix_key_type)
    key = given.get("pix_key", p.pix_key if "pix_key_type" not in given else None)
    if kind is None and key is None:
        p.pix_key_type, p.pix_key = None, None
        return
    if kind is None:
        raise SettingRequired(field="pix_key_type")
    if key is None:
        raise SettingRequired(field="pix_key")
    p.pix_key = validate_pix_key(kind, key)
    p.pix_key_type = PixKeyType(kind)


async def update_settings(uow: UnitOfWork, *, changes: SettingsChange) -> ProfessionalView:
    """Change the acting professional's settings; each refusal names its field."""
    pid = require_professional(uow)
    p = await uow.session.get(Professional, pid, with_for_update=True)
    if p is None:
        raise ProfessionalNotFound()
    given = changes.model_dump(exclude_unset=True)
    for field, value in given.items():
        if value is None and field in _NOT_NULL:
            raise SettingRequired(field=field)
    _apply_payment(p, given)
    _apply_pix(p, given)
    handled = {"payment_percentage", "pix_key_type", "pix_key"}
    for field, value in given.items():
        if field not in handled:
            setattr(p, field, value)
    await uow.flush()
    return _view(p)


async def set_plan(
    uow: UnitOfWork, *, professional_id: uuid.UUID, plan: Plan, trial_ends_at: datetime | None
) -> ProfessionalView:
    """Set a professional's plan (system scope only: payments and admin)."""
    if uow.scope.system is None:
        raise errors.NotAllowed()
    p = await uow.session.get(Professional, professional_id, with_for_update=True)
    if p is None:
        raise ProfessionalNotFound()
    p.plan, p.trial_ends_at = plan, trial_ends_at
    await uow.flush()
    return _view(p)
