"""`inspector self-test` and `inspector --version` from the checkout (the installed wheel is
tested in tests/packaging/test_wheel.py, the frozen build by packaging/build.sh --check)."""

from __future__ import annotations

import re
import shutil
from importlib import metadata

from cli_runner import inspector

from inspector_app.core.resources import resources_dir


def test_self_test_passes_and_reports_each_step(tmp_path):
    result = inspector("self-test")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("市场质量检查 ") and lines[0].endswith(" 自检")
    for step in ("资源文件", "检查清单", "数据库", "查封扣押", "标识检查", "工作站日志", "文书",
                 "二维码", "审计"):
        assert any(line.startswith("  通过　" + step) for line in lines), (step, result.out)
    documents = next(line for line in lines if line.startswith("  通过　文书"))
    for title in ("实施行政强制措施决定书", "财物清单", "现场笔录", "封条", "延长行政强制措施期限决定书",
                  "解除行政强制措施决定书", "检查记录", "日报", "月度汇总"):
        assert f"{title} " in documents
    # states and outcomes as the screens show them, not the stored keys
    assert next(line for line in lines if line.startswith("  通过　查封扣押")).endswith("号 已解除")
    assert next(line for line in lines if line.startswith("  通过　标识检查")).endswith("：已完成，合格")
    # paths (resources, the temporary store) name the machine's folders, not states
    text = re.sub(r"/\S*", "", "\n".join(lines[1:]))
    words = set(re.findall(r"[A-Za-z]+", text))
    assert not words & {"released", "final", "conforming", "decision", "seals", "check",
                        "daily", "monthly", "list", "record", "extension", "release"}, words
    assert "6 个二维码" in result.out
    assert lines[-1].startswith("自检通过")


def test_self_test_in_english_names_states_as_the_screens_do():
    result = inspector("--lang", "en", "self-test")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert next(line for line in lines if line.startswith("  ok  seizure")).endswith(" Released")
    assert next(line for line in lines if line.startswith("  ok  labeling check")).endswith(
        ": Final, Conforming")
    documents = next(line for line in lines if line.startswith("  ok  documents"))
    assert documents.split(": ", 1)[1].startswith("Decision notice ")
    assert "Seal strips " in documents and "Monthly summary " in documents


def test_self_test_names_the_failing_step_and_exits_1(tmp_path, monkeypatch):
    # The translations are there, the fonts are not.
    broken = tmp_path / "resources"
    shutil.copytree(resources_dir() / "locale", broken / "locale")
    (broken / "fonts").mkdir()
    monkeypatch.setenv("INSPECTOR_RESOURCES_DIR", str(broken))
    result = inspector("self-test")
    assert result.code == 1
    assert "失败　资源文件：缺少字体文件 " + str(broken / "fonts") in result.out
    assert "Traceback" not in result.out + result.err
    assert "自检通过" not in result.out


def test_version_comes_from_the_package_metadata():
    result = inspector("--version")
    assert result.code == 0
    assert result.out.strip() == f"inspector {metadata.version('inspector')}"
