"""The device credential: in the OS keyring where one works, else in a file only the user
can read (mode 0600) in the data folder."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE = "inspector-sync"
FILE_NAME = "sync-credential.json"
ENV_NO_KEYRING = "INSPECTOR_NO_KEYRING"


def _keyring():
    """The keyring module when a real backend is available, else None."""
    if os.environ.get(ENV_NO_KEYRING):
        return None
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, (fail.Keyring, null.Keyring)) or backend.priority < 1:
            return None
        return keyring
    except Exception:  # noqa: BLE001 - no usable keyring is an ordinary case
        return None


def _user(server_url: str, device_id: str) -> str:
    return f"{device_id}@{server_url.rstrip('/')}"


def save(data_dir: Path, server_url: str, device_id: str, credential: str) -> str:
    """Keep the credential; return where ("keyring" or "file")."""
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(SERVICE, _user(server_url, device_id), credential)
            _file(data_dir).unlink(missing_ok=True)
            return "keyring"
        except Exception as exc:  # noqa: BLE001 - fall back to the file
            log.warning("keyring refused the credential (%s); using a private file",
                        type(exc).__name__)
    path = _file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"server_url": server_url, "device_id": device_id,
                   "credential": credential}, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return "file"


def load(data_dir: Path, server_url: str, device_id: str) -> str | None:
    kr = _keyring()
    if kr is not None:
        try:
            value = kr.get_password(SERVICE, _user(server_url, device_id))
            if value:
                return value
        except Exception as exc:  # noqa: BLE001
            log.warning("keyring unreadable (%s); trying the file", type(exc).__name__)
    path = _file(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("device_id") == device_id:
        return data.get("credential")
    return None


def _file(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME
