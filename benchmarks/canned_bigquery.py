"""The client's floor for `bench_emulator.py`'s small queries: an HTTP server that answers every
request at once with one fixed `jobs.query` response (`SELECT @x + 1 AS y` = 42), doing no other
work. Latency against it is what the BigQuery client and the machine cost on their own; no
emulator can answer faster. Not an emulator: it ignores what is asked.

    python benchmarks/canned_bigquery.py   # prints {"endpoint": "http://127.0.0.1:PORT"}
"""

from __future__ import annotations

import asyncio
import json

BODY = json.dumps(
    {
        "kind": "bigquery#queryResponse",
        "schema": {"fields": [{"name": "y", "type": "INTEGER", "mode": "NULLABLE"}]},
        "jobReference": {"projectId": "bench-project", "jobId": "canned", "location": "US"},
        "totalRows": "1",
        "rows": [{"f": [{"v": "42"}]}],
        "totalBytesProcessed": "0",
        "jobComplete": True,
        "cacheHit": False,
    }
).encode()
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(RESPONSE)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(json.dumps({"endpoint": f"http://127.0.0.1:{port}"}), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve())
