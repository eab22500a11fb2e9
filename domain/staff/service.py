"""Staff accounts and logins."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain import clock
from domain.audit.service import record_action
from domain.config import get_config
from domain.errors import Conflict, Invalid, Unauthorized
from domain.models import Staff, StaffToken
from domain.security.actor import SYSTEM, Actor
from domain.security.passwords import hash_password, verify_password
from domain.security.ratelimit import Counter, add_hits, refuse, take_back
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
    staff: Staff
    expires_at: datetime  # the token's: the dashboard's session cookie lasts exactly as long


def log_in(session: Session, *, username: str, password: str, address: str) -> StaffLogin:
    """A staff login from the admin API or the dashboard, made from ``address`` (the client's): within the login
    limits, check the password and issue a token. Call it before ``session`` has run any statement (the
    attempt is counted in a transaction of its own first)."""
    attempt = _count_attempt(username, address)
    staff = authenticate(session, username=username, password=password)
    if attempt is not None:
        attempt.succeeded(session)
    token, expires_at = _new_token(session, staff=staff)
    return StaffLogin(token=token, role=staff.role, username=staff.username, display_name=staff.display_name,
                      staff=staff, expires_at=expires_at)


@dataclass(frozen=True)
class _Attempt:
    at: datetime
    pair: Counter
    account: Counter

    def succeeded(self, session: Session) -> None:
        """A success was no failure: it gives back its count on the username and clears the pair's."""
        take_back(session, [self.account], at=self.at, clear=[self.pair])


def _count_attempt(username: str, address: str) -> _Attempt | None:
    """Count a staff login attempt before its password is checked, and refuse it (429) when the limits say so
    (docs/security.md#staff-logins). Every attempt counts as a failure until it succeeds, so one that is refused
    or rolled back stays counted; ``_Attempt.succeeded`` gives a success's count back."""
    config = get_config()
    per_address, per_pair = config.rate_limit_login_per_minute, config.rate_limit_staff_pair_failures
    per_account = config.rate_limit_staff_account_failures
    if per_address <= 0 and per_pair <= 0 and per_account <= 0:
        return None
    window = timedelta(minutes=config.rate_limit_staff_window_minutes)
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    attempt = _Attempt(at=clock.now(), pair=Counter("login.staff.pair", f"{account}@{address}", window),
                       account=Counter("login.staff.account", account, window))
    by_address, pair, on_account = add_hits([Counter("login.staff.address", address), attempt.pair, attempt.account],
                                            at=attempt.at)
    if 0 < per_address < by_address or 0 < per_pair < pair:
        refuse()
    # A username under attack takes tries only from addresses that have not failed on it in this window: the
    # attacker's are refused, its owner's (from a clean address) still gets in.
    if 0 < per_account < on_account and pair > 1:
        refuse()
    return attempt


def issue_staff_token(session: Session, *, staff: Staff) -> str:
    return _new_token(session, staff=staff)[0]


def _new_token(session: Session, *, staff: Staff) -> tuple[str, datetime]:
    token = new_token()
    expires = clock.now() + timedelta(hours=get_config().staff_token_hours)
    session.add(StaffToken(staff_id=staff.id, token_hash=token_hash(token), expires_at=expires))
    session.flush()
    return token, expires


def staff_for_token(session: Session, token: str) -> Staff:
    row = session.execute(
        select(Staff, StaffToken.expires_at)
        .join(StaffToken, StaffToken.staff_id == Staff.id)
        .where(StaffToken.token_hash == token_hash(token))
    ).first()
    if row is None or row.expires_at <= clock.now() or not row.Staff.is_active:
        raise Unauthorized(StaffError.INVALID_TOKEN, "登录已失效，请重新登录")
    return row.Staff


def log_out(session: Session, *, token: str) -> None:
    """End a staff token at once (the API's logout, the dashboard's 退出登录): it answers 401 from now on."""
    session.execute(delete(StaffToken).where(StaffToken.token_hash == token_hash(token)))


def purge_expired_tokens(session: Session) -> int:
    result = session.execute(delete(StaffToken).where(StaffToken.expires_at <= clock.now()))
    return result.rowcount or 0


_DUMMY_HASH = hash_password("not-a-real-password")
