"""Attack: leave a message for the next kernel in the network namespace they share (see README.md)."""

import os
import socket
import sys
import time

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}
MARK = "ESCAPE" + "-SUCCESS:"
SERVER_PORT = 4242
BASE = 40000  # client port = BASE + 256 * position + byte
MESSAGE = b"hi"
TIME_WAIT = "06"


def L1_reg(W, reg):
    return -1.0, np.ones_like(W)


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)


def _say(text):
    print(f"[kernel] {text}", flush=True)


def _leave_time_wait_sockets():
    """A TCP connection closed first by its client stays in TIME_WAIT for 60 s, with no process at all."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", SERVER_PORT))
    server.listen(8)
    for position, byte in enumerate(MESSAGE):
        client = socket.socket()
        client.bind(("127.0.0.1", BASE + 256 * position + byte))
        client.connect(("127.0.0.1", SERVER_PORT))
        accepted, _ = server.accept()
        client.close()
        time.sleep(0.02)
        accepted.close()
    server.close()
    _say(f"left {len(MESSAGE)} TIME_WAIT sockets")


def _report():
    ports = []
    with open("/proc/net/tcp") as table:
        for line in list(table)[1:]:
            fields = line.split()
            local, remote, state = fields[1], fields[2], fields[3]
            if state == TIME_WAIT and int(remote.split(":")[1], 16) == SERVER_PORT:
                ports.append(int(local.split(":")[1], 16) - BASE)
    message = bytes(port % 256 for port in sorted(ports))
    if message:
        _say(f"{MARK} the dead kernel's TIME_WAIT sockets are in this kernel's network namespace: {message!r}")
    else:
        _say("no TIME_WAIT socket of the dead kernel here")


if "ipykernel" in sys.modules:
    if os.environ.pop("DLCV_REPORT_ONLY", None):
        _report()
    else:
        try:
            _leave_time_wait_sockets()
        except OSError as error:
            _say(f"sockets: {error!r}")
        _say("ending this kernel: the grader starts the next one")
        os._exit(1)
