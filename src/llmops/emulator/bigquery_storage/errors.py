"""gRPC errors of the Storage API: a status code and a one-line message naming the fix."""

from __future__ import annotations

import grpc

from ...core.errors import LlmopsError


class RpcError(Exception):
    """Ends an RPC with `code` and `message` (what went wrong, then what to do)."""

    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(message: str) -> RpcError:
    return RpcError(grpc.StatusCode.NOT_FOUND, message)


def invalid(message: str) -> RpcError:
    return RpcError(grpc.StatusCode.INVALID_ARGUMENT, message)


def from_engine(exc: LlmopsError) -> RpcError:
    """The gRPC status for an engine error: notFound -> NOT_FOUND, duplicate -> ALREADY_EXISTS,
    anything else the caller's input -> INVALID_ARGUMENT."""
    reason = getattr(exc, "reason", "invalid")
    code = {
        "notFound": grpc.StatusCode.NOT_FOUND,
        "duplicate": grpc.StatusCode.ALREADY_EXISTS,
    }.get(reason, grpc.StatusCode.INVALID_ARGUMENT)
    return RpcError(code, str(exc))
