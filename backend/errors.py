"""The one place where errors become HTTP answers: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError

log = logging.getLogger("backend")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
}


# pydantic's error types in the shopper's and staff's language; anything unlisted reads "格式不正确".
_PYDANTIC_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段",
    "string_type": "需为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "需为整数",
    "int_parsing": "需为整数",
    "int_from_float": "需为整数",
    "float_type": "需为数字",
    "bool_type": "需为 true 或 false",
    "bool_parsing": "需为 true 或 false",
    "greater_than": "需大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "需小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "可选值：{expected}",
    "enum": "可选值：{expected}",
    "list_type": "需为列表",
    "dict_type": "需为对象",
    "model_type": "需为对象",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "json_invalid": "不是合法的 JSON",
    "json_type": "不是合法的 JSON",
    "datetime_parsing": "时间格式不正确（ISO 8601，带时区）",
    "datetime_type": "时间格式不正确（ISO 8601，带时区）",
    "datetime_from_date_parsing": "时间格式不正确（ISO 8601，带时区）",
    "date_parsing": "日期格式不正确（YYYY-MM-DD）",
    "date_from_datetime_parsing": "日期格式不正确（YYYY-MM-DD）",
    "url_parsing": "网址格式不正确",
}


def chinese(err: dict) -> str:
    """One pydantic validation error as a short Chinese phrase (our own validators' messages pass through)."""
    kind = err.get("type", "")
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", "")) or "格式不正确"
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None:
        return "格式不正确"
    try:
        return template.format(**{k: str(v) for k, v in (err.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：") or "格式不正确"


def error_body(code: str, message: str, **details) -> dict:
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header"))
            problems.append(f"{where}：{chinese(err)}" if where else chinese(err))
        return JSONResponse(error_body("invalid_request", "请求格式不正确：" + "；".join(problems)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code
        if exc.status_code == 404 and message == "Not Found":
            message = "接口不存在"
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception):
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "服务器开小差了，请稍后重试"), status_code=500)
