"""The seccomp filter's program, run by a small BPF interpreter: what it refuses and what it lets through.

The end-to-end check (the filter loaded by bubblewrap, the calls made for real)
is in ``tests/test_sandbox.py``; this one covers every branch on every
supported architecture, without a sandbox.
"""

import errno
import struct

import pytest

from grading.sandbox.seccomp import ARCHITECTURES, F_NOTIFY, F_SETLEASE, RET_ALLOW, RET_ERRNO, program

REFUSED = RET_ERRNO | errno.EPERM
F_GETFL, F_SETLK = 3, 6


def run(code, arch, nr, args=(0, 0)):
    """Interpret ``code`` on ``struct seccomp_data`` for a call; return its SECCOMP_RET_* value."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *args, *[0] * (6 - len(args)))
    instructions = [struct.unpack_from("<HBBI", code, offset) for offset in range(0, len(code), 8)]
    pc, accumulator = 0, 0
    for _ in range(len(instructions)):  # no loops in a seccomp program: at most one pass
        op, true, false, k = instructions[pc]
        if op == 0x20:      # BPF_LD | BPF_W | BPF_ABS
            accumulator = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif op == 0x15:    # BPF_JMP | BPF_JEQ | BPF_K
            pc += 1 + (true if accumulator == k else false)
        elif op == 0x35:    # BPF_JMP | BPF_JGE | BPF_K
            pc += 1 + (true if accumulator >= k else false)
        elif op == 0x06:    # BPF_RET | BPF_K
            return k
        else:
            raise AssertionError(f"unexpected instruction {op:#x}")
    raise AssertionError("the program ran off its end")


@pytest.mark.parametrize("machine", sorted(ARCHITECTURES))
def test_the_filter_refuses_keyrings_ptrace_io_uring_leases_and_other_processes_limits(machine):
    arch, numbers = ARCHITECTURES[machine]
    code = program(machine)
    for name in ("keyctl", "add_key", "request_key", "ptrace", "userfaultfd", "io_uring_setup", "io_uring_enter",
                 "io_uring_register"):
        assert run(code, arch, numbers[name]) == REFUSED, name
    assert run(code, arch, numbers["prlimit64"], (1, 7)) == REFUSED           # another process
    assert run(code, arch, numbers["prlimit64"], (1 << 32, 7)) == REFUSED     # its high half counts
    assert run(code, arch, numbers["fcntl"], (3, F_SETLEASE)) == REFUSED
    assert run(code, arch, numbers["fcntl"], (3, F_NOTIFY)) == REFUSED


@pytest.mark.parametrize("machine", sorted(ARCHITECTURES))
def test_the_filter_lets_everything_else_through(machine):
    arch, numbers = ARCHITECTURES[machine]
    code = program(machine)
    assert run(code, arch, numbers["prlimit64"], (0, 7)) == RET_ALLOW         # its own limits
    assert run(code, arch, numbers["fcntl"], (3, F_GETFL)) == RET_ALLOW
    assert run(code, arch, numbers["fcntl"], (3, F_SETLK)) == RET_ALLOW
    for nr in (0, 1, 2, 3, 59, 221, 435):  # read, write, open/close, execve ... on either table
        if nr not in numbers.values():
            assert run(code, arch, nr, (3, 5)) == RET_ALLOW, nr


def test_another_abi_is_refused_whatever_the_call():
    arch, numbers = ARCHITECTURES["x86_64"]
    code = program("x86_64")
    assert run(code, 0x40000003, 0) == REFUSED                  # i386 (int 0x80): read
    assert run(code, arch, 0x40000000 | 0) == REFUSED           # x32: read
    assert program("riscv64") is None                           # unsupported: no filter (logged)
