"""``Register.open`` on a pipe, socket or device refuses it at once (issue 11, point 10).

Opening a FIFO for reading blocks until a writer appears, so SQLite (and the
header check before it) used to hang forever on one.  Each open runs in a
child process with a time limit, so a regression fails this test instead of
hanging the suite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

OPEN = r"""
import sys
from itil_ci.errors import StorageError
from itil_ci.register import Register
try:
    Register.open(sys.argv[1])
except StorageError as err:
    print("StorageError:", err)
else:
    print("opened")
"""


def _open_in_child(path: Path | str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", OPEN, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "register.db"
    os.mkfifo(fifo)
    out = _open_in_child(fifo)
    assert out.startswith("StorageError:"), out
    assert "not a regular file" in out


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        out = _open_in_child(path)
    finally:
        server.close()
    assert "not a regular file" in out


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_a_character_device_is_refused() -> None:
    out = _open_in_child("/dev/null")
    assert out.startswith("StorageError:"), out
    assert "not a regular file" in out
