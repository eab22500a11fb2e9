"""The audit log: every staff action, who and when, with the state before and after."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.db import paginate
from domain.models import AuditEntry
from domain.search import starts_with
from domain.security.actor import Actor


def record_action(session: Session, *, actor: Actor, action: str, entity_type: str, entity_id: object,
                  before: dict | None = None, after: dict | None = None) -> AuditEntry:
    entry = AuditEntry(
        staff_id=actor.staff_id,
        actor=actor.username,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    session.add(entry)
    return entry


def list_actions(session: Session, *, entity_type: str | None = None, entity_id: object | None = None,
                 action_prefix: str | None = None, actions: list[str] | None = None, page: int = 1,
                 page_size: int = 50) -> tuple[list[AuditEntry], int]:
    """Newest first, in strict time order: by the moment it happened, then by id for entries of the same moment."""
    query = select(AuditEntry)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    if action_prefix:
        query = query.where(starts_with(AuditEntry.action, action_prefix))
    if actions is not None:  # an empty list matches nothing
        query = query.where(AuditEntry.action.in_(actions))
    query, total = paginate(session, query, AuditEntry.created_at.desc(), AuditEntry.id.desc(), page=page,
                            page_size=page_size)
    return list(session.scalars(query)), total


def audit_entity_types(session: Session) -> dict[str, int]:
    """The kinds of records the audit log mentions, with how many entries each."""
    rows = session.execute(select(AuditEntry.entity_type, func.count(AuditEntry.id))
                           .group_by(AuditEntry.entity_type).order_by(AuditEntry.entity_type)).all()
    return {kind: int(n) for kind, n in rows}


def audit_actions(session: Session, *, entity_type: str | None = None) -> dict[str, int]:
    """The actions the audit log holds (of one kind of record, or all), with how many entries each."""
    query = select(AuditEntry.action, func.count(AuditEntry.id)).group_by(AuditEntry.action).order_by(AuditEntry.action)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    return {action: int(n) for action, n in session.execute(query).all()}


def _jsonable(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
