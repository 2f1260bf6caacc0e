"""Bulletins (监督抽查结果公告): the signed format, publication by a supervisor's device
(SQLite and PostgreSQL), and the public pages read in a real headless browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from synchelpers import FakeDevice, enrol_fake

from sync import bulletins
from sync.protocol import ProtocolError

AGENCY = "示例市市场监督管理局"
ITEMS = [
    {"product": "电热水壶", "brand": "美的", "spec": "MK-1.5L", "batch": "20261001",
     "producer": "佛山市某电器有限公司", "seller": "东门农副产品批发市场 A-12 号摊位",
     "market": "东门农副产品批发市场", "result": "nonconforming",
     "nonconforming_items": ["标志和说明", "输入功率和电流"]},
    {"product": "儿童书包", "brand": "小熊", "spec": "中号", "batch": "2026-09",
     "producer": "温州某箱包厂", "seller": "西城百货商行", "market": "西城市场",
     "result": "conforming", "nonconforming_items": []},
    {"product": "<img src=x onerror=\"document.title='pwned'\">", "brand": "", "spec": "",
     "batch": "", "producer": "某&某公司", "seller": "", "market": "",
     "result": "conforming", "nonconforming_items": []},
]


def _bulletin(dev, **kw):
    return bulletins.make(agency=kw.pop("agency", AGENCY), period_from="2026-11-01",
                          period_to="2026-11-30", items=kw.pop("items", ITEMS),
                          by="王科长", device_id=dev.device_id, key_id=dev.key_id, **kw)


def test_format_counts_checks_and_signs():
    dev = FakeDevice(str(uuid.uuid4()), Ed25519PrivateKey.generate(), "c")
    b = _bulletin(dev)
    assert b["totals"] == {"checked": 3, "conforming": 2, "nonconforming": 1}
    assert b["title"] == "监督抽查结果公告"
    env = bulletins.sign(dev.key, b)
    assert bulletins.verify(dev.key.public_key(), env) == b
    with pytest.raises(ProtocolError) as bad:
        bulletins.verify(Ed25519PrivateKey.generate().public_key(), env)
    assert bad.value.status == 401
    for change, words in [
        ({"seller": "张三 13800138000"}, "phone or identity number"),
        ({"producer": "110101199003077777"}, "phone or identity number"),
        ({"seller": "某店 0755-12345678"}, "phone or identity number"),
        ({"result": "conforming"}, "non-conforming items"),
        ({"nonconforming_items": []}, "names its non-conforming items"),
        ({"product": ""}, "required"),
    ]:
        items = [ITEMS[0] | change] + ITEMS[1:]
        with pytest.raises(ProtocolError) as refused:
            _bulletin(dev, items=items)
        assert words in refused.value.message and refused.value.status == 422
    lying = dict(b, totals={"checked": 3, "conforming": 3, "nonconforming": 0})
    with pytest.raises(ProtocolError, match="totals must agree"):
        bulletins.check(lying)
    with pytest.raises(ProtocolError, match="period"):
        bulletins.make(agency=AGENCY, period_from="2026-12-01", period_to="2026-11-30",
                       items=[], by="王科长", device_id=dev.device_id, key_id=dev.key_id)


def test_a_supervisor_publishes_once_and_anyone_reads_it(app_client):
    sup = enrol_fake(app_client.db, None, "王科长", role="supervisor", agency=AGENCY)
    env = bulletins.sign(sup.key, _bulletin(sup))
    bid = env["bulletin"]["id"]
    r = app_client.post("/v1/bulletins", json=env, headers=sup.headers())
    assert r.status_code == 200 and r.json() == {"id": bid, "status": "stored",
                                                 "url": f"/bulletins/{bid}"}
    assert app_client.post("/v1/bulletins", json=env, headers=sup.headers()).json() == r.json()
    other = dict(env["bulletin"], title="另一份公告")
    reused = app_client.post("/v1/bulletins", json=bulletins.sign(sup.key, other),
                             headers=sup.headers())
    assert reused.status_code == 409
    forged = dict(env, signature=bulletins.sign(Ed25519PrivateKey.generate(),
                                                env["bulletin"])["signature"])
    assert app_client.post("/v1/bulletins", json=forged, headers=sup.headers()).status_code == 401
    bad = app_client.post("/v1/bulletins", json={"bulletin": {}, "signature": "x"},
                          headers=sup.headers())
    assert bad.status_code == 422 and bad.json()["detail"]
    # Public, without credentials: the signed JSON, the page, the agency's list.
    assert app_client.get(f"/bulletins/{bid}.json").json() == env
    page = app_client.get(f"/bulletins/{bid}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<meta charset="utf-8">' in html and "<title>监督抽查结果公告" in html
    assert "&lt;img src=x" in html and "<img" not in html  # escaped, never markup
    assert "某&amp;某公司" in html
    listing = app_client.get("/bulletins").text
    assert AGENCY in listing and f'href="/bulletins/{bid}"' in listing
    assert app_client.get("/bulletins", params={"agency": "别的局"}).text.count("<li>") == 0
    assert app_client.get(f"/bulletins/{uuid.uuid4()}").status_code == 404
    assert app_client.get("/bulletins/nonsense.json").status_code == 404


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _dump_dom(browser: str, url: str, profile) -> str:
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", url],
        capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode("utf-8")


def test_the_bulletin_page_in_a_headless_browser(sqlite_server, tmp_path):
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing; CI installs it (packaging/bootstrap.sh)")
        pytest.skip("chromium is not installed (packaging/bootstrap.sh installs it)")
    import httpx

    sup = enrol_fake(sqlite_server.db, None, "王科长", role="supervisor", agency=AGENCY)
    env = bulletins.sign(sup.key, _bulletin(sup))
    bid = env["bulletin"]["id"]
    r = httpx.post(f"{sqlite_server.url}/v1/bulletins", json=env, headers=sup.headers())
    assert r.status_code == 200, r.text
    dom = _dump_dom(browser, f"{sqlite_server.url}/bulletins/{bid}", tmp_path / "profile")
    text = re.sub(r"<[^>]+>", " ", dom)
    # What the page shows: the title, agency, totals, every product, result and failed item.
    for shown in ("监督抽查结果公告", AGENCY, "共抽查 3 批次，合格 2 批次，不合格 1 批次",
                  "电热水壶", "美的", "佛山市某电器有限公司", "东门农副产品批发市场 A-12 号摊位",
                  "儿童书包", "西城百货商行", "标志和说明；输入功率和电流", "不合格", "合格",
                  "某&amp;某公司"):
        assert shown in text, shown
    # The hostile product name is text, not an element; its script never ran.
    assert "<img" not in dom and "pwned" not in dom.split("<title>")[1].split("</title>")[0]
    assert "&lt;img src=x" in dom
    # No personal data: not who signed it, not its device or key, no phone or ID number.
    for private in ("王科长", sup.device_id, sup.key_id, env["signature"]):
        assert private not in dom
    assert not re.search(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text)
    listing = _dump_dom(browser, f"{sqlite_server.url}/bulletins", tmp_path / "profile")
    assert AGENCY in listing and "监督抽查结果公告" in listing
    assert f'href="/bulletins/{bid}"' in listing
