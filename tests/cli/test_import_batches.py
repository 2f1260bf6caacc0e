"""`inspector import-batches FILE`: a supervisor's device imports an inspector's USB batch
file, verified as the server verifies it, and queues it for the server."""

from __future__ import annotations

import json

import pytest
from agency_helpers import Dev, check, record, supervisor
from cli_runner import inspector


@pytest.fixture
def sup(tmp_path):
    """A supervisor's data folder knowing the keys of 李娜's device and a revoked one."""
    devs = {"lina": Dev("李娜"), "gone": Dev("孙浩")}
    store = supervisor(tmp_path / "sup", *devs.values(), revoked=(devs["gone"],))
    store.close()
    return tmp_path / "sup", devs


def test_a_supervisor_imports_a_batch_file_once(sup, tmp_path):
    folder, devs = sup
    lina = devs["lina"]
    market = record("market", lina, name="南湖果蔬批发市场")
    usb = tmp_path / "usb.json"
    usb.write_bytes(lina.file([lina.batch([market, check(lina, market_id=market.id)]),
                               lina.batch([check(lina)])]))
    done = inspector("--data-dir", folder, "import-batches", usb)
    assert done.code == 0, done.err
    assert "已导入2个批次：新记录3条，更新0条，冲突0条，已有0条，拒收批次0个。" in done.out
    assert "下次 `inspector sync` 时发往中心服务器" in done.out
    assert len(list((folder / "outgoing").glob("*.json"))) == 1

    again = inspector("--data-dir", folder, "import-batches", usb, "--json")
    assert again.code == 0, again.err
    summary = json.loads(again.out)
    assert (summary["new"], summary["updated"], summary["conflicts"], summary["refused"],
            summary["duplicates"]) == (0, 0, 0, [], 3)
    assert len(list((folder / "outgoing").glob("*.json"))) == 1


def test_a_revoked_devices_file_is_refused_with_its_reason(sup, tmp_path):
    folder, devs = sup
    gone = devs["gone"]
    usb = tmp_path / "old.json"
    usb.write_bytes(gone.file([gone.batch([check(gone)])]))
    done = inspector("--data-dir", folder, "import-batches", usb)
    assert done.code == 2
    assert "拒收批次1个" in done.out
    assert f"设备{gone.device_id}（孙浩）已于2026-11-01注销" in done.err
    assert "Traceback" not in done.err
    assert not list((folder / "outgoing").glob("*.json"))


def test_an_unknown_devices_file_is_refused(sup, tmp_path):
    folder, _devs = sup
    stranger = Dev("陌生")
    usb = tmp_path / "x.json"
    usb.write_bytes(stranger.file([stranger.batch([check(stranger)])]))
    done = inspector("--data-dir", folder, "import-batches", usb, "--json")
    assert done.code == 2
    refused = json.loads(done.out)["refused"]
    assert len(refused) == 1 and f"未知的设备密钥{stranger.key_id}" in refused[0]["reason"]


def test_not_a_batch_file_gets_a_clear_message(sup, tmp_path):
    folder, _devs = sup
    bad = tmp_path / "photo.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    done = inspector("--data-dir", folder, "import-batches", bad)
    assert done.code == 2
    assert "这不是有效的批次文件" in done.err and "Traceback" not in done.err
    missing = inspector("--data-dir", folder, "import-batches", tmp_path / "none.json")
    assert missing.code == 2 and "无法读取" in missing.err


def test_an_inspector_device_is_told_where_batch_files_go(tmp_path):
    from inspector_app.core.store import Store

    Store(tmp_path / "insp").close()
    dev = Dev()
    usb = tmp_path / "usb.json"
    usb.write_bytes(dev.file([dev.batch([check(dev)])]))
    done = inspector("--data-dir", tmp_path / "insp", "import-batches", usb)
    assert done.code == 2
    assert "本设备登记为检查员设备：批次文件应交中心服务器" in done.err
