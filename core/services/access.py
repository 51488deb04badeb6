"""Who may act: small guards shared by the services."""

from __future__ import annotations

import uuid

from core import errors
from core.db.uow import UnitOfWork


class NotAProfessional(errors.NotAllowed):
    msgid = errors.N_("professional.not_registered")


def require_professional(uow: UnitOfWork) -> uuid.UUID:
    """The acting professional's id, or NotAProfessional."""
    if uow.professional_id is None:
        raise NotAProfessional()
    return uow.professional_id


def require_user(uow: UnitOfWork) -> int:
    """The acting Telegram user's id (services for people never run in the system scope)."""
    if uow.user_id is None:
        raise errors.NotAllowed()
    return uow.user_id
