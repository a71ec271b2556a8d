"""The gRPC server of the Storage API: BigQueryRead and BigQueryWrite on one port, the
emulator's access token required as `authorization: Bearer TOKEN` metadata when one is set."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from google.cloud.bigquery_storage_v1 import types

from .errors import RpcError
from .read import ReadService
from .write import WriteService

log = logging.getLogger("llmops.emulator")

READ = "google.cloud.bigquery.storage.v1.BigQueryRead"
WRITE = "google.cloud.bigquery.storage.v1.BigQueryWrite"
MESSAGE_OPTIONS = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]


def _unary(fn: Callable[[Any, grpc.ServicerContext], Any]) -> Callable[[Any, grpc.ServicerContext], Any]:
    def handle(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return fn(request, context)
        except RpcError as exc:
            context.abort(exc.code, exc.message)
        except Exception:
            log.exception("Storage API call failed")
            context.abort(grpc.StatusCode.INTERNAL, "the emulator failed on this call; see its log")

    return handle


def _streaming(fn: Callable[[Any, grpc.ServicerContext], Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def handle(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from fn(request, context)
        except RpcError as exc:
            context.abort(exc.code, exc.message)
        except grpc.RpcError:
            if context.is_active():
                raise
            return  # the client closed or cancelled its stream (AppendRowsStream.close): not a failure
        except Exception:
            log.exception("Storage API stream failed")
            context.abort(grpc.StatusCode.INTERNAL, "the emulator failed on this stream; see its log")

    return handle


def _handler(kind: str, fn: Callable[..., Any], request_type: Any, response_type: Any) -> grpc.RpcMethodHandler:
    pb_in = request_type.pb()  # responses: `_serialized` (response_type names what the handler returns)
    make = {
        "unary": grpc.unary_unary_rpc_method_handler,
        "server_stream": grpc.unary_stream_rpc_method_handler,
        "bidi": grpc.stream_stream_rpc_method_handler,
    }[kind]
    wrapped = _unary(fn) if kind == "unary" else _streaming(fn)
    return make(wrapped, request_deserializer=pb_in.FromString, response_serializer=_serialized)


def _serialized(message: Any) -> bytes:
    """A response message's wire bytes; a handler may hand them over already encoded."""
    return message if isinstance(message, bytes) else message.SerializeToString()


def read_handler(service: ReadService) -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        READ,
        {
            "CreateReadSession": _handler(
                "unary", service.create_read_session, types.CreateReadSessionRequest, types.ReadSession
            ),
            "ReadRows": _handler("server_stream", service.read_rows, types.ReadRowsRequest, types.ReadRowsResponse),
            "SplitReadStream": _handler(
                "unary", service.split_read_stream, types.SplitReadStreamRequest, types.SplitReadStreamResponse
            ),
        },
    )


def write_handler(service: WriteService) -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        WRITE,
        {
            "CreateWriteStream": _handler(
                "unary", service.create_write_stream, types.CreateWriteStreamRequest, types.WriteStream
            ),
            "AppendRows": _handler("bidi", service.append_rows, types.AppendRowsRequest, types.AppendRowsResponse),
            "GetWriteStream": _handler(
                "unary", service.get_write_stream, types.GetWriteStreamRequest, types.WriteStream
            ),
            "FinalizeWriteStream": _handler(
                "unary",
                service.finalize_write_stream,
                types.FinalizeWriteStreamRequest,
                types.FinalizeWriteStreamResponse,
            ),
            "BatchCommitWriteStreams": _handler(
                "unary",
                service.batch_commit_write_streams,
                types.BatchCommitWriteStreamsRequest,
                types.BatchCommitWriteStreamsResponse,
            ),
            "FlushRows": _handler("unary", service.flush_rows, types.FlushRowsRequest, types.FlushRowsResponse),
        },
    )


class TokenCheck(grpc.ServerInterceptor):
    """Refuses calls without `authorization: Bearer TOKEN` (compared in constant time)."""

    def __init__(self, token: str):
        self.expected = f"Bearer {token}".encode()

    def intercept_service(self, continuation: Any, details: grpc.HandlerCallDetails) -> Any:
        given = dict(details.invocation_metadata or ()).get("authorization", "")
        if hmac.compare_digest(str(given).encode(), self.expected):
            return continuation(details)
        handler = continuation(details)
        if handler is None:
            return None

        def refuse(request: Any, context: grpc.ServicerContext) -> Any:
            context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                "this emulator needs its access token; send 'authorization: Bearer TOKEN' metadata "
                "(the clients made by llmops.emulator.bigquery_storage.clients take token=)",
            )

        if handler.request_streaming and handler.response_streaming:
            return grpc.stream_stream_rpc_method_handler(refuse)
        if handler.response_streaming:
            return grpc.unary_stream_rpc_method_handler(refuse)
        return grpc.unary_unary_rpc_method_handler(refuse)


def build_server(read: ReadService, write: WriteService, *, token: str | None, workers: int = 16) -> grpc.Server:
    """An unstarted gRPC server with both services (bind a port, then start it)."""
    interceptors = [TokenCheck(token)] if token else []
    server = grpc.server(
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bq-storage"),
        handlers=[read_handler(read), write_handler(write)],
        interceptors=interceptors,
        options=MESSAGE_OPTIONS,
    )
    return server
