"""Google's error shape: `{"error": {"code", "message", "status", "errors": [{"reason", ...}]}}`.

Every failure the emulator answers goes through `error_response`, so the Google client libraries
map it to their own exceptions (`google.api_core.exceptions.BadRequest`, `NotFound`, ...).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.errors import LlmopsError, NotFoundError, QueryError

log = logging.getLogger("llmops.emulator")

STATUS_FOR_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    411: "INVALID_ARGUMENT",
    412: "FAILED_PRECONDITION",
    413: "OUT_OF_RANGE",
    416: "OUT_OF_RANGE",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

REASON_FOR_CODE = {
    400: "invalid",
    401: "required",
    403: "forbidden",
    404: "notFound",
    405: "methodNotAllowed",
    409: "conflict",
    411: "required",
    412: "conditionNotMet",
    413: "uploadTooLarge",
    416: "requestedRangeNotSatisfiable",
    499: "cancelled",
    500: "internalEmulatorError",
    501: "notImplemented",
}

CODE_FOR_REASON = {
    "invalid": 400,
    "invalidQuery": 400,
    "required": 400,
    "parseError": 400,
    "badRequest": 400,
    "resourceInUse": 400,
    "notFound": 404,
    "duplicate": 409,
    "conflict": 409,
    "forbidden": 403,
    "conditionNotMet": 412,
    "uploadTooLarge": 413,
    "notImplemented": 501,
}


class ApiError(Exception):
    """An error answered in Google's shape with HTTP status `code`."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str | None = None,
        *,
        status: str | None = None,
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASON_FOR_CODE.get(code, "invalid")
        self.status = status or STATUS_FOR_CODE.get(code, "UNKNOWN")
        self.location = location
        self.location_type = location_type
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"message": self.message, "domain": "global", "reason": self.reason}
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type or "parameter"
        return {"error": {"code": self.code, "message": self.message, "errors": [detail], "status": self.status}}


def bad_request(message: str, reason: str = "invalid", **kw: Any) -> ApiError:
    return ApiError(400, message, reason, **kw)


def required(field: str) -> ApiError:
    return ApiError(400, f"Required parameter is missing: {field}", "required", location=field)


def not_found(message: str) -> ApiError:
    return ApiError(404, message, "notFound")


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.code, headers=err.headers)


def from_exception(exc: BaseException) -> ApiError:
    """The Google-shaped error for any exception the routes let through."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return ApiError(404, "Not Found: no such API method", "notFound")
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            return ApiError(
                405, f"Method not allowed here; allowed: {allow}", "methodNotAllowed", headers={"Allow": allow}
            )
        return ApiError(exc.status_code, str(exc.detail))
    if isinstance(exc, LlmopsError):
        reason = getattr(exc, "reason", None)
        if reason is None:
            if isinstance(exc, NotFoundError):
                reason = "notFound"
            elif isinstance(exc, QueryError):
                reason = "invalidQuery"
            else:
                reason = "invalid"
        code = CODE_FOR_REASON.get(reason)
        if code is None:
            code = 404 if isinstance(exc, NotFoundError) else 400
        # Only the problem: the fix is advice for the CLI's user (`llmops models list`), not an API answer.
        return ApiError(code, exc.problem, reason)
    if isinstance(exc, RecursionError):
        return ApiError(400, "The request is nested too deeply", "invalid")
    if isinstance(exc, UnicodeError):
        # Text from the request that cannot be encoded: lone surrogates, or a character that
        # cannot go into a response header.
        return ApiError(
            400, f"The request contains text that cannot be encoded: {getattr(exc, 'reason', exc)}", "invalid"
        )
    # Not "backendError"/"internalError": Google's clients retry those for up to ten minutes,
    # and an emulator bug does not heal by waiting.
    # The exception's text may name host paths: it goes to the emulator's log only.
    return ApiError(500, f"Internal error in the emulator ({type(exc).__name__}); see its log", "internalEmulatorError")


async def handle_exception(request: Request, exc: Exception) -> Response:
    err = from_exception(exc)
    if err.code >= 500 and err.code != 501:  # 501: a feature refused by name, not an emulator fault
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(err)


__all__ = [
    "ApiError",
    "bad_request",
    "error_response",
    "from_exception",
    "handle_exception",
    "not_found",
    "required",
]
