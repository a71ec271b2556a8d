"""Clients speaking TLS, HTTP/2 or gRPC to the plain-HTTP emulator get a hint at once, and a
Vertex call on a wrong path is answered with the base URL that works."""

import logging
import socket
import ssl

import httpx
import pytest
from google import genai
from google.genai import errors, types

from llmops.emulator.server.sniff import H2_PREFACE, HINT


def _address(endpoint):
    host, port = endpoint.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def test_tls_handshake_is_refused_at_once_with_a_logged_hint(llmops_emulator, caplog):
    caplog.set_level(logging.WARNING, logger="llmops.emulator")
    context = ssl.create_default_context()
    with socket.create_connection(_address(llmops_emulator.endpoint), timeout=10) as raw:
        with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
            context.wrap_socket(raw, server_hostname="localhost")
    assert any("TLS handshake" in r.message and HINT in r.message for r in caplog.records)


def test_http2_preface_gets_a_goaway_carrying_the_hint(llmops_emulator):
    with socket.create_connection(_address(llmops_emulator.endpoint), timeout=10) as s:
        s.sendall(H2_PREFACE)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data[3:4] == b"\x04" and b"\x07" in data[9:13]  # SETTINGS, then GOAWAY
    assert data.endswith(HINT.encode())
    assert httpx.get(f"{llmops_emulator.endpoint}/").status_code == 200  # still serving


def test_genai_without_project_and_location_gets_the_set_up_that_works(llmops_emulator):
    client = genai.Client(vertexai=True, http_options=types.HttpOptions(base_url=llmops_emulator.endpoint))
    with pytest.raises(errors.ClientError) as err:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert err.value.code == 404
    assert f"base_url='{llmops_emulator.endpoint}'" in err.value.message and "project=" in err.value.message


def test_vertex_call_under_a_wrong_base_path_names_the_right_base_url(llmops_emulator):
    r = httpx.post(f"{llmops_emulator.endpoint}/vertex/v1/models/gemini:generateContent", json={})
    assert r.status_code == 404
    assert f"base_url='{llmops_emulator.endpoint}'" in r.json()["error"]["message"]
