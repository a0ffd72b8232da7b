"""Offline first: the suite itself must refuse to reach beyond this machine."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_connecting_outside_localhost_is_blocked():
    with pytest.warns(UserWarning), pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)  # TEST-NET-1, never routed


def test_localhost_is_allowed():
    server = socket.create_server(("127.0.0.1", 0))
    try:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            assert connection.getpeername() == ("127.0.0.1", port)
    finally:
        server.close()
