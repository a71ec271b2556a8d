"""BigQuery Storage clients for the emulator's gRPC endpoint: an insecure channel (the emulator
serves plain HTTP/2 on loopback) with unlimited message sizes, and the emulator's access token as
`authorization` metadata when it has one."""

from __future__ import annotations

from typing import Any

import grpc

MESSAGE_OPTIONS = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]


class _Bearer(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    def __init__(self, token: str):
        self.header = ("authorization", f"Bearer {token}")

    def _details(self, details: Any) -> Any:
        metadata = [*(details.metadata or ()), self.header]
        return details._replace(metadata=metadata) if hasattr(details, "_replace") else _Details(details, metadata)

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        return continuation(self._details(details), requests)


class _Details(grpc.ClientCallDetails):
    def __init__(self, base: Any, metadata: list[tuple[str, str]]):
        self.method = base.method
        self.timeout = base.timeout
        self.credentials = base.credentials
        self.wait_for_ready = getattr(base, "wait_for_ready", None)
        self.compression = getattr(base, "compression", None)
        self.metadata = metadata


def channel(endpoint: str, token: str | None = None) -> grpc.Channel:
    """An insecure channel to `host:port`, sending `token` as a bearer token when given."""
    ch = grpc.insecure_channel(endpoint, options=MESSAGE_OPTIONS)
    return grpc.intercept_channel(ch, _Bearer(token)) if token else ch


def read_client(endpoint: str, token: str | None = None) -> Any:
    """A `BigQueryReadClient` on the emulator (pass it as `to_dataframe(bqstorage_client=...)`)."""
    from google.cloud.bigquery_storage_v1 import BigQueryReadClient
    from google.cloud.bigquery_storage_v1.services.big_query_read.transports import BigQueryReadGrpcTransport

    transport = BigQueryReadGrpcTransport(channel=channel(endpoint, token))
    return BigQueryReadClient(transport=transport, client_options={"api_endpoint": endpoint})


def write_client(endpoint: str, token: str | None = None) -> Any:
    """A `BigQueryWriteClient` on the emulator."""
    from google.cloud.bigquery_storage_v1 import BigQueryWriteClient
    from google.cloud.bigquery_storage_v1.services.big_query_write.transports import BigQueryWriteGrpcTransport

    transport = BigQueryWriteGrpcTransport(channel=channel(endpoint, token))
    return BigQueryWriteClient(transport=transport, client_options={"api_endpoint": endpoint})
