"""One error hierarchy for the whole product.

Every domain error carries a message id and its parameters; only the bot layer
translates them for the reader. Nothing here knows about Telegram.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Mark a message id for extraction without translating it here."""
    return msgid


class DomainError(Exception):
    """A rule of the product was not met; the user gets `msgid` translated."""

    msgid = N_("error.generic")

    def __init__(self, **params: object) -> None:
        super().__init__(self.msgid, params)
        self.params = params

    def __str__(self) -> str:
        return f"{self.msgid} {self.params}" if self.params else self.msgid


class NotFound(DomainError):
    msgid = N_("error.not_found")


class NotAllowed(DomainError):
    msgid = N_("error.not_allowed")


class InvalidInput(DomainError):
    """Something the user typed does not fit; `field` says what."""

    msgid = N_("error.invalid_input")


class Conflict(DomainError):
    msgid = N_("error.conflict")


class DatabaseUnavailable(DomainError):
    msgid = N_("error.database_unavailable")


class SlotTaken(Conflict):
    """Another booking holds (part of) that time."""

    msgid = N_("booking.slot_taken")


class WindowOverlap(InvalidInput):
    msgid = N_("availability.overlap")


class SlugTaken(Conflict):
    msgid = N_("professional.slug_taken")


class AlreadyRegistered(Conflict):
    msgid = N_("professional.already_registered")


class AlreadyClient(Conflict):
    msgid = N_("client.already_linked")


class AlreadyReviewed(Conflict):
    msgid = N_("review.already_reviewed")


class ConstraintViolated(InvalidInput):
    """A database rule refused a value the core did not check first; `constraint` names it."""

    msgid = N_("error.invalid_input")
