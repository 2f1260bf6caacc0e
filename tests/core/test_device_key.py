"""The device key is made once, kept private, and signs verifiably."""

from __future__ import annotations

import stat

import pytest
from cryptography.exceptions import InvalidSignature

from inspector_app.core import device_key


def test_key_is_made_once_and_private(tmp_path):
    key = device_key.load_or_create(tmp_path)
    again = device_key.load_or_create(tmp_path)
    assert device_key.public_b64(key) == device_key.public_b64(again)
    mode = stat.S_IMODE((tmp_path / device_key.KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_public_key_round_trip_verifies_and_rejects(tmp_path):
    key = device_key.load_or_create(tmp_path)
    public = device_key.public_from_b64(device_key.public_b64(key))
    signature = key.sign(b"payload")
    public.verify(signature, b"payload")
    with pytest.raises(InvalidSignature):
        public.verify(signature, b"payloaD")
    assert len(device_key.key_id(key)) == 16
