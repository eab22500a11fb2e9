"""Shopper accounts: WeChat login, tokens, profile and phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import clock
from domain.config import get_config
from domain.distribution.binding import bind_inviter
from domain.distribution.invite_codes import new_invite_code
from domain.errors import DomainError, Invalid, Unauthorized
from domain.media import media_url, save_image
from domain.models import User, UserToken
from domain.security import crypto
from domain.security.tokens import new_token, token_hash
from domain.settings.service import SETTINGS_FINGERPRINT, adopt_settings
from domain.text import clean_text
from domain.users.errors import UserError
from domain.wechat.gateway import WeChatGateway


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class BindingReport:
    """What became of the invite code a login brought: bound, or why not (the login succeeds either way)."""

    bound: bool
    inviter_id: int | None
    error: Refusal | None


@dataclass
class LoginResult:
    user: User
    token: str
    created: bool
    binding: BindingReport | None = None  # None when the login brought no invite code


def login(session: Session, *, wechat: WeChatGateway, code: str, invite_code: str | None = None,
          nickname: str | None = None, avatar_url: str | None = None) -> LoginResult:
    """``wx.login`` code → user and token. Creates the user on first login and binds the inviter
    when an invite code comes with it. A refused binding never fails the login; it is reported."""
    identity = wechat.code_to_session(code)
    user, created = _get_or_create_user(session, openid=identity["openid"], nickname=nickname, avatar_url=avatar_url)
    if identity.get("session_key"):
        user.session_key_enc = crypto.encrypt(identity["session_key"])
    if not created:
        if nickname and clean_text(nickname):
            user.nickname = clean_text(nickname)[:64]
        if avatar_url:
            user.avatar_url = avatar_url[:512]
    user.last_login_at = clock.now()
    binding = _bind_at_login(session, user=user, invite_code=invite_code, created=created) if invite_code else None
    token = issue_token(session, user=user)
    return LoginResult(user=user, token=token, created=created, binding=binding)


def _bind_at_login(session: Session, *, user: User, invite_code: str, created: bool) -> BindingReport:
    try:
        with session.begin_nested():
            bind_inviter(session, user=user, invite_code=invite_code, at_registration=created)
    except DomainError as exc:
        return BindingReport(bound=False, inviter_id=user.inviter_id, error=Refusal(exc.code, exc.message))
    return BindingReport(bound=True, inviter_id=user.inviter_id, error=None)


def _get_or_create_user(session: Session, *, openid: str, nickname: str | None, avatar_url: str | None):
    user = session.scalar(select(User).where(User.openid == openid))
    if user:
        return user, False
    user = User(
        openid=openid,
        nickname=(clean_text(nickname or "") or f"微信用户{openid[-4:]}")[:64],
        avatar_url=(avatar_url or "")[:512],
        invite_code=new_invite_code(),
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        # Two first logins at once for one openid (or, rarely, an invite code collision): re-read.
        existing = session.scalar(select(User).where(User.openid == openid))
        if existing:
            return existing, False
        user = User(openid=openid, nickname=user.nickname, avatar_url=user.avatar_url, invite_code=new_invite_code())
        session.add(user)
        session.flush()
    return user, True


def issue_token(session: Session, *, user: User) -> str:
    token = new_token()
    expires = clock.now() + timedelta(days=get_config().shopper_token_days)
    session.add(UserToken(user_id=user.id, token_hash=token_hash(token), expires_at=expires))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User:
    return token_row(session, token, _USER_FOR_TOKEN).User


def token_row_statement(*columns):
    """``select(*columns)`` of the ``users`` table (the token's shopper, joined on the ``token_hash`` parameter),
    with what ``token_row`` reads of the token and the settings. It reads the business settings' fingerprint: a
    shopper's request is the transaction's first statement, and most of them need the settings next (one statement
    fewer each; docs/architecture.md, "What is cached"). Build it once."""
    users, tokens = User.__table__, UserToken.__table__
    return (select(tokens.c.expires_at.label("token_expires_at"), *columns,
                   SETTINGS_FINGERPRINT.label("settings_fingerprint"))
            .select_from(tokens).join(users, users.c.id == tokens.c.user_id)
            .where(tokens.c.token_hash == bindparam("token_hash")))


def token_row(session: Session, token: str, statement, **params):
    """The row of a statement built with ``token_row_statement``, for a valid token; 401 ``invalid_token``
    otherwise."""
    row = session.execute(statement, {"token_hash": token_hash(token), **params}).first()
    if row is None or row.token_expires_at <= clock.now():
        raise Unauthorized(UserError.INVALID_TOKEN, "登录已失效，请重新登录")
    adopt_settings(session, row.settings_fingerprint)
    return row


# Built once, the hash given as a parameter: every shopper request runs it, and keying a fresh statement cost more than
# running it (docs/architecture.md, "Performance"). The user as an entity: whoever asks for it may change it.
_USER_FOR_TOKEN = token_row_statement(User)


def shopper_id_for_token(session: Session, token: str) -> int | None:
    """The shopper a token belongs to while it is valid, else None: for counting a request per shopper."""
    return session.scalar(select(UserToken.user_id).where(UserToken.token_hash == token_hash(token),
                                                         UserToken.expires_at > clock.now()))


def log_out(session: Session, *, token: str) -> None:
    """End a shopper's token at once: it answers 401 from now on (the shopper's other devices stay signed in)."""
    session.execute(delete(UserToken).where(UserToken.token_hash == token_hash(token)))


def purge_expired_tokens(session: Session) -> int:
    result = session.execute(delete(UserToken).where(UserToken.expires_at <= clock.now()))
    return result.rowcount or 0


def update_profile(session: Session, *, user: User, nickname: str | None = None, avatar_url: str | None = None) -> User:
    if nickname is not None:
        nickname = clean_text(nickname)
        if not nickname or len(nickname) > 64:
            raise Invalid(UserError.INVALID_NICKNAME, "昵称需为 1–64 个字符")
        user.nickname = nickname
    if avatar_url is not None:
        user.avatar_url = avatar_url[:512]
    session.flush()
    return user


AVATAR_SIDE = 256  # pixels: shown at most 128rpx wide, twice that on a sharp screen


def set_avatar(session: Session, *, user: User, image: bytes) -> User:
    """The picture the shopper chose with WeChat's chooseAvatar, uploaded from its temporary file. Kept as an
    address anyone can load, as WeChat's own avatar addresses were. Refusals: ``invalid_image``,
    ``image_too_large``."""
    user.avatar_url = media_url(save_image(image, folder="avatars", max_side=AVATAR_SIDE))
    session.flush()
    return user


def bind_phone(session: Session, *, user: User, wechat: WeChatGateway, code: str) -> str:
    phone = wechat.phone_number(code)
    set_phone(session, user=user, phone=phone)
    return phone


def set_phone(session: Session, *, user: User, phone: str) -> None:
    digits = crypto.parse_mobile(phone)
    user.phone_enc = crypto.encrypt(digits)
    user.phone_bidx = crypto.phone_index(digits)
    session.flush()


def find_user_by_phone(session: Session, phone: str) -> User | None:
    return session.scalar(select(User).where(User.phone_bidx == crypto.phone_index(phone)))
