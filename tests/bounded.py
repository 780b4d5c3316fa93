"""Run a callable or a command under a CPU-time, wall-clock and address-space bound, for tests of hostile inputs.

    run_bounded(target, *args, cpu_seconds=2, wall_seconds=None, memory_bytes=256 MB, stdin=None) -> Outcome

A test of a tiny bomb must not itself take twenty minutes or the machine's memory
when the bound it checks is broken: the run happens in a child process with
RLIMIT_CPU and RLIMIT_AS set, is killed at the wall-clock bound, and the test reads
what happened (`outcome.bound` is "cpu", "wall", "memory" or None) with the figures
(CPU seconds, wall seconds, peak resident memory from wait4's rusage).

A callable runs in a fork of the test process, so it may be any function, a lambda
or a closure; its return value (if it pickles) or the exception it raised comes back.
Its address-space bound is `memory_bytes` on top of what the fork starts with, and
`rss_growth_bytes` is how much resident memory it added. A command (a list of
arguments) runs from scratch, its address space bounded to `memory_bytes` in all.
`stdin` is bytes, or an iterable of byte chunks written through a pipe as the child
reads (so an endless stream costs only what the child takes of it).
"""

from __future__ import annotations

import io
import math
import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

MB = 1 << 20


@dataclass(frozen=True)
class Outcome:
    """What a bounded run did."""

    returncode: int | None  # the exit status; negative: killed by that signal
    stdout: str
    stderr: str
    value: Any  # what a callable returned (None for a command, or when it raised)
    error: str | None  # "InvalidInput: message" when a callable raised
    bound: str | None  # "cpu", "wall" or "memory" when the run hit that bound
    cpu_seconds: float
    wall_seconds: float
    max_rss_bytes: int
    rss_growth_bytes: int  # a callable: resident memory added over the fork's start; a command: max_rss_bytes


def run_bounded(
    target: Callable[..., Any] | Sequence[str],
    *args: Any,
    cpu_seconds: float = 2.0,
    wall_seconds: float | None = None,
    memory_bytes: int = 256 * MB,
    stdin: bytes | Iterable[bytes] | None = None,
    env: dict[str, str] | None = None,
) -> Outcome:
    """Run `target(*args)` (a callable) or `target` (a command) within the bounds; see the module docstring."""
    wall = wall_seconds if wall_seconds is not None else 2 * cpu_seconds + 3
    if callable(target):
        return _run_callable(target, args, cpu_seconds, wall, memory_bytes, stdin)
    return _run_command(list(target), cpu_seconds, wall, memory_bytes, stdin, env)


def _set_cpu(cpu_seconds: float) -> None:
    soft = max(1, math.ceil(cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))  # SIGXCPU at the soft limit, SIGKILL a second later


def _vm_bytes() -> tuple[int, int]:
    """This process's address space and resident memory, in bytes (/proc/self/statm)."""
    with open("/proc/self/statm") as fh:
        size, resident = (int(v) for v in fh.read().split()[:2])
    page = os.sysconf("SC_PAGE_SIZE")
    return size * page, resident * page


def _feed(fd: int, stdin: bytes | Iterable[bytes] | None) -> threading.Thread | None:
    """Write `stdin` into the pipe `fd` from a thread; a reader that stops early just closes the pipe."""
    if stdin is None:
        os.close(fd)
        return None
    chunks = [stdin] if isinstance(stdin, bytes) else stdin

    def write() -> None:
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
        except (BrokenPipeError, OSError):
            pass
        finally:
            os.close(fd)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def _drain(fd: int, into: bytearray) -> threading.Thread:
    def read() -> None:
        with os.fdopen(fd, "rb") as fh:
            while chunk := fh.read(1 << 16):
                into.extend(chunk)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _reap(pid: int, wall: float, started: float) -> tuple[int, Any, bool]:
    """Wait for `pid` until the wall-clock bound, then kill it. Returns (status, rusage, killed at the wall)."""
    deadline = started + wall
    delay = 0.001
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage, False
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage, True
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _returncode(status: int) -> int:
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _cpu_bound(code: int) -> bool:
    return code in (-signal.SIGXCPU, -signal.SIGKILL)


def _run_callable(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    cpu: float,
    wall: float,
    memory: int,
    stdin: bytes | Iterable[bytes] | None,
) -> Outcome:
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    result_r, result_w = os.pipe()
    stdin_r, stdin_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: bound itself, run, report through the pipe, and leave without pytest's clean-up
        code = 0
        try:
            os.close(result_r)
            os.close(stdin_w)
            os.dup2(stdin_r, 0)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding="utf-8")
            sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
            sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
            size, resident = _vm_bytes()
            _set_cpu(cpu)
            resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))
            try:
                report: tuple[Any, ...] = ("value", target(*args))
            except MemoryError:
                report = ("memory", None)
            except BaseException as exc:  # noqa: BLE001 - whatever it raised is the report
                report = ("error", f"{type(exc).__name__}: {exc}")
            try:
                payload = pickle.dumps((resident, *report))
            except Exception:  # noqa: BLE001 - an unpicklable value comes back as its repr
                payload = pickle.dumps((resident, report[0], repr(report[1])))
            sys.stdout.flush()
            sys.stderr.flush()
            with os.fdopen(result_w, "wb") as fh:
                fh.write(payload)
        except MemoryError:
            code = 99
        finally:
            os._exit(code)
    os.close(result_w)
    os.close(stdin_r)
    received = bytearray()
    reader = _drain(result_r, received)
    feeder = _feed(stdin_w, stdin)
    status, usage, walled = _reap(pid, wall, started)
    elapsed = time.monotonic() - started
    reader.join(5)
    if feeder is not None:
        feeder.join(5)
    code = _returncode(status)
    try:
        resident, kind, value = pickle.loads(bytes(received))
    except Exception:  # noqa: BLE001 - killed before it could report (or while reporting)
        resident, kind, value = 0, None, None
    bound = "wall" if walled else "memory" if kind == "memory" or code == 99 else "cpu" if _cpu_bound(code) else None
    max_rss = usage.ru_maxrss * 1024
    return Outcome(
        returncode=code,
        stdout=_read(out),
        stderr=_read(err),
        value=value if kind == "value" else None,
        error=value if kind == "error" else None,
        bound=bound,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        wall_seconds=elapsed,
        max_rss_bytes=max_rss,
        rss_growth_bytes=max(0, max_rss - resident) if resident else max_rss,
    )


def _read(fh: Any) -> str:
    fh.seek(0)
    text = fh.read().decode("utf-8", "replace")
    fh.close()
    return str(text)


def _run_command(
    command: list[str],
    cpu: float,
    wall: float,
    memory: int,
    stdin: bytes | Iterable[bytes] | None,
    env: dict[str, str] | None,
) -> Outcome:
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()

    def bound_child() -> None:  # runs in the child between fork and exec
        _set_cpu(cpu)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=out,
        stderr=err,
        env=env,
        preexec_fn=bound_child,  # noqa: PLW1509 - the bound must be in place before the command starts
    )
    feeder = None
    if proc.stdin is not None:
        fd = os.dup(proc.stdin.fileno())
        proc.stdin.close()
        feeder = _feed(fd, stdin)
    status, usage, walled = _reap(proc.pid, wall, started)
    elapsed = time.monotonic() - started
    code = _returncode(status)
    proc.returncode = code  # reaped here (wait4 gives the rusage); Popen must not wait again
    if feeder is not None:
        feeder.join(5)
    stderr = _read(err)
    memory_error = "MemoryError" in stderr or "Cannot allocate memory" in stderr
    bound = "wall" if walled else "cpu" if _cpu_bound(code) else "memory" if memory_error else None
    max_rss = usage.ru_maxrss * 1024
    return Outcome(
        returncode=code,
        stdout=_read(out),
        stderr=stderr,
        value=None,
        error=None,
        bound=bound,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        wall_seconds=elapsed,
        max_rss_bytes=max_rss,
        rss_growth_bytes=max_rss,
    )
