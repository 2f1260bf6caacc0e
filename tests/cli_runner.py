"""Run the real, installed `inspector` command in a subprocess, as a user would.

Shared by the CLI tests (tests/cli, tests/core/seizure, tests/sync; import it as
`cli_runner`: the tests folder is on sys.path through its conftest.py). The child gets the
test's environment at the time of the call (INSPECTOR_DATA_DIR, INSPECTOR_NO_KEYRING, ...).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

INSPECTOR = Path(sys.executable).parent / "inspector"


class Result(NamedTuple):
    code: int
    out: str
    err: str


def inspector(*args: str | os.PathLike[str], cwd: Path | None = None,
              timeout: float = 300) -> Result:
    """`inspector ARGS...`: its exit code, stdout and stderr."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([str(INSPECTOR), *map(str, args)], capture_output=True, env=env,
                          cwd=cwd, timeout=timeout, check=False)
    return Result(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def popen(*args: str | os.PathLike[str], **kwargs) -> subprocess.Popen[str]:
    """`inspector ARGS...` started, unbuffered, with text pipes for stdout and stderr."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([str(INSPECTOR), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, text=True, encoding="utf-8",
                            **kwargs)


def on_terminal(*args: str | os.PathLike[str], columns: int = 250,
                stdout_tty: bool = True) -> tuple[int, str, str]:
    """`inspector ARGS...` with stdout and stderr on pseudo-terminals (stdout piped when
    not `stdout_tty`), as in a terminal window of `columns` columns: its exit code, stdout
    and stderr (escape codes and all)."""
    import pty
    import threading

    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": str(columns),
           "LINES": "50", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    masters, slaves = zip(*(pty.openpty() for _ in range(2)), strict=True)
    got = [bytearray(), bytearray()]

    def drain(n: int) -> None:
        while True:
            try:
                chunk = os.read(masters[n], 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            got[n] += chunk

    readers = [threading.Thread(target=drain, args=(n,), daemon=True) for n in range(2)]
    for r in readers:
        r.start()
    done = subprocess.run([str(INSPECTOR), *map(str, args)], env=env, timeout=300, check=False,
                          stdin=subprocess.DEVNULL,
                          stdout=slaves[0] if stdout_tty else subprocess.PIPE,
                          stderr=slaves[1])
    for fd in slaves:
        os.close(fd)
    for r in readers:
        r.join(10)
    for fd in masters:
        os.close(fd)
    out = got[0].decode("utf-8") if stdout_tty else done.stdout.decode("utf-8")
    return done.returncode, out.replace("\r\n", "\n"), got[1].decode("utf-8")
