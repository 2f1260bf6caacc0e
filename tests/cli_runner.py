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
