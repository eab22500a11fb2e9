"""Staff accounts and logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.config import get_config
from domain.errors import Conflict, Invalid, Unauthorized
from domain.models import Staff, StaffToken
from domain.security.actor import SYSTEM, Actor
from domain.security.passwords import hash_password, verify_password
from domain.security.roles import Permission, parse_role
from domain.security.tokens import new_token, token_hash
from domain.staff.errors import StaffError

MIN_PASSWORD_LENGTH = 8


def create_staff(session: Session, *, username: str, password: str, role: str, display_name: str = "",
                 actor: Actor = SYSTEM) -> Staff:
    actor.require(Permission.STAFF)
    username = username.strip()
    if not username or len(username) > 64:
        raise Invalid(StaffError.INVALID_USERNAME, "用户名不能为空，且不超过 64 个字符")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(StaffError.WEAK_PASSWORD, f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    parsed = parse_role(role)
    if session.scalar(select(Staff.id).where(Staff.username == username)):
        raise Conflict(StaffError.USERNAME_TAKEN, f"用户名 {username} 已存在")
    staff = Staff(username=username, password_hash=hash_password(password), role=parsed.value,
                  display_name=display_name or username)
    session.add(staff)
    session.flush()
    record_action(session, actor=actor, action="staff.create", entity_type="staff", entity_id=staff.id,
                  after={"username": username, "role": parsed.value})
    return staff


def authenticate(session: Session, *, username: str, password: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.username == username.strip()))
    # Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
    valid = verify_password(staff.password_hash if staff else _DUMMY_HASH, password)
    if not staff or not valid or not staff.is_active:
        raise Unauthorized(StaffError.INVALID_CREDENTIALS, "用户名或密码错误")
    return staff


@dataclass(frozen=True)
class StaffLogin:
    token: str
    role: str
    username: str
    display_name: str


def log_in(session: Session, *, username: str, password: str) -> StaffLogin:
    """The admin API's login: check the password and issue a token."""
    staff = authenticate(session, username=username, password=password)
    return StaffLogin(token=issue_staff_token(session, staff=staff), role=staff.role, username=staff.username,
                      display_name=staff.display_name)


def issue_staff_token(session: Session, *, staff: Staff) -> str:
    token = new_token()
    expires = clock.now() + timedelta(hours=get_config().staff_token_hours)
    session.add(StaffToken(staff_id=staff.id, token_hash=token_hash(token), expires_at=expires))
    session.flush()
    return token


def staff_for_token(session: Session, token: str) -> Staff:
    row = session.execute(
        select(Staff, StaffToken.expires_at)
        .join(StaffToken, StaffToken.staff_id == Staff.id)
        .where(StaffToken.token_hash == token_hash(token))
    ).first()
    if row is None or row.expires_at <= clock.now() or not row.Staff.is_active:
        raise Unauthorized(StaffError.INVALID_TOKEN, "登录已失效，请重新登录")
    return row.Staff


_DUMMY_HASH = hash_password("not-a-real-password")
