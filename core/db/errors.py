"""Translate what PostgreSQL refuses into domain errors, by constraint name."""

from __future__ import annotations

import logging

import asyncpg
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core import errors

log = logging.getLogger(__name__)

# Constraint names are fixed by the models' naming convention (core/models/base.py).
BY_CONSTRAINT: dict[str, type[errors.DomainError]] = {
    "ex_appointments_no_overlap": errors.SlotTaken,
    "ex_availability_no_overlap": errors.WindowOverlap,
    "ex_extra_availability_no_overlap": errors.WindowOverlap,
    "uq_professionals_slug": errors.SlugTaken,
    "uq_professionals_user_id": errors.AlreadyRegistered,
    "uq_clients_professional_id_user_id": errors.AlreadyClient,
    "uq_reviews_appointment_id": errors.AlreadyReviewed,
}

_CONNECTION_SQLSTATES = ("08", "57P", "53")


def _root(err: BaseException) -> BaseException:
    orig = getattr(err, "orig", None)
    cause = getattr(orig, "__cause__", None) if orig is not None else None
    return cause or orig or err


def translate(err: BaseException) -> errors.DomainError | None:
    """The domain error for a database failure, or None when it is a bug to surface."""
    if isinstance(err, errors.DomainError):
        return err
    if isinstance(
        err,
        OperationalError
        | InterfaceError
        | ConnectionError
        | OSError
        | asyncpg.ConnectionDoesNotExistError
        # The pool: every connection busy for pool_timeout seconds, or only closed ones.
        | PoolTimeout
        | DisconnectionError,
    ):
        return errors.DatabaseUnavailable()
    if isinstance(err, DBAPIError):
        root = _root(err)
        sqlstate = str(getattr(root, "sqlstate", "") or getattr(err.orig, "sqlstate", "") or "")
        invalidated = err.connection_invalidated
    elif isinstance(err, asyncpg.PostgresError):  # UnitOfWork.fetch: straight from the driver
        root, sqlstate, invalidated = err, str(err.sqlstate or ""), False
    else:
        return None
    constraint = getattr(root, "constraint_name", None)
    if sqlstate.startswith(_CONNECTION_SQLSTATES) or invalidated:
        return errors.DatabaseUnavailable()
    if constraint and constraint in BY_CONSTRAINT:
        return BY_CONSTRAINT[constraint](constraint=constraint)
    if sqlstate == "23503":  # foreign key: the row referred to is gone
        return errors.NotFound(constraint=constraint)
    if sqlstate == "42501":  # row-level security or privileges
        return errors.NotAllowed()
    # 23: integrity (check, not null, unique); 22: data (too long, not an enum label, ...)
    if sqlstate.startswith(("23", "22")):
        return errors.ConstraintViolated(constraint=constraint or sqlstate)
    return None
