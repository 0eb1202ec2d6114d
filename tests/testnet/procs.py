"""Starting and stopping the network's processes, tracked by pid files in the state directory.

Processes run in their own session so that they outlive `python -m tests.testnet up` and do not
receive a terminal's Ctrl-C. `stop_all` only signals a pid whose command line names the state
directory, so a stale pid file can never hit an unrelated process that reused the pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

# Popen objects of processes this interpreter started: kept so they are reaped (no zombies, no
# "still running" ResourceWarning when the fixture stops them in the same process).
_children: dict[int, subprocess.Popen[bytes]] = {}


def run(argv: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 30) -> bytes:
    """Run a tool to completion; raise with its output when it fails. Returns stdout."""
    # argv comes from tool paths found with shutil.which and our own arguments, never a shell.
    done = subprocess.run(list(argv), env=env, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).decode(errors="replace").strip()
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {output}")
    return done.stdout


def spawn(
    name: str,
    argv: Sequence[str],
    state_dir: Path,
    *,
    pass_fds: Sequence[int] = (),
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    logs = state_dir / "logs"
    pids = state_dir / "pids"
    logs.mkdir(parents=True, exist_ok=True)
    pids.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=tuple(pass_fds),
            env=env,
            cwd=cwd,
        )
    _children[proc.pid] = proc
    (pids / f"{name}.pid").write_text(f"{proc.pid}\n")
    return proc


def log_tail(state_dir: Path, name: str, lines: int = 15) -> str:
    try:
        text = (state_dir / "logs" / f"{name}.log").read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; its parent just has not reaped it yet


def owned_pids(state_dir: Path) -> dict[str, int]:
    """Name -> pid for every pid file whose process is alive and belongs to this state dir."""
    found: dict[str, int] = {}
    marker = str(state_dir)
    for pidfile in sorted((state_dir / "pids").glob("*.pid")):
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
        if _alive(pid) and marker in _cmdline(pid):
            found[pidfile.stem] = pid
    return found


def stop_all(state_dir: Path, timeout: float = 5.0) -> list[str]:
    """SIGTERM every process of this state dir, SIGKILL what is left after `timeout`.

    Returns the names stopped. Safe to call again: pid files are removed, dead pids skipped.
    """
    targets = owned_pids(state_dir)
    for pid in targets.values():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in targets.values()) and time.monotonic() < deadline:
        time.sleep(0.02)
    for pid in targets.values():
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    for pid in targets.values():
        child = _children.pop(pid, None)
        if child is not None:
            child.wait(timeout=timeout)
    for pidfile in (state_dir / "pids").glob("*.pid"):
        pidfile.unlink(missing_ok=True)
    return sorted(targets)
