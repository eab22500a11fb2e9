from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, Strict

MAX_ID = 2_147_483_647  # ids are 32-bit; anything larger cannot exist, and is refused before the database sees it
MAX_FEN = 10**12

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
# Request bodies take whole numbers as JSON integers only: ``true``, ``2.0`` and ``"2"`` are refused, so a client's
# bug never becomes a quantity or an amount.
StrictInt = Annotated[int, Strict()]
IdField = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Quantity = Annotated[int, Strict(), Field(ge=1, le=999)]
FenField = Annotated[int, Strict(), Field(ge=0, le=MAX_FEN)]

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


class ReadModel(BaseModel):
    """Answers: read by attribute from domain objects and read models, so no router copies fields by hand."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 20


def page_params(
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


class Ok(BaseModel):
    ok: bool = True


class ErrorDetail(BaseModel):
    code: str = Field(description="stable snake_case code, e.g. out_of_stock")
    message: str = Field(description="a sentence for people, in Chinese")
    details: dict | None = None


class ErrorOut(BaseModel):
    """Every refusal: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


_MEANING = {
    400: "请求无法处理",
    401: "未登录或登录已失效（missing_token, invalid_token）",
    403: "当前角色无权执行此操作（forbidden）",
    404: "不存在，或不属于你",
    409: "业务规则拒绝（如 out_of_stock, already_bound, insufficient_balance）",
    422: "请求格式不正确（invalid_request, invalid_text …）",
    429: "操作太频繁（rate_limited），或下单的人太多、请稍后再试（orders_busy）",
    502: "微信服务或图片存储暂时不可用（wechat_unavailable, media_store_unavailable）",
}


def errors(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` for the refusals an endpoint can give, each with the error body's schema."""
    return {status: {"model": ErrorOut, "description": _MEANING[status]} for status in statuses}


# What every endpoint of a kind can answer, set once on its router; endpoints add their own (404, 409 …).
SHOPPER_ERRORS = errors(401, 422)
STAFF_ERRORS = errors(401, 403, 422)
PUBLIC_ERRORS = errors(422)
