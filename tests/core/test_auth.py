"""Local sign-in: first set-up, Argon2id hashes, several inspectors on one device."""

from __future__ import annotations

import pytest

from inspector_app.core import auth, settings


def test_first_setup_then_sign_in(store):
    with store.read() as session:
        assert auth.needs_setup(session)
    with store.write() as session:
        first = auth.first_setup(session, "示例市市场监督管理局", "示例",
                                 auth.NewInspector("张三", "zhang", "demo1234", "32010001"))
        assert first.password_hash.startswith("$argon2id$")
        assert "demo1234" not in first.password_hash
    with store.read() as session:
        assert not auth.needs_setup(session)
        assert settings.AGENCY_ABBR.get(session) == "示例"
        assert auth.authenticate(session, "zhang", "demo1234").name == "张三"
        assert auth.authenticate(session, "zhang", "wrong-pass") is None
        assert auth.authenticate(session, "nobody", "demo1234") is None


def test_second_inspector_on_the_same_device(signed_in):
    store, actor, _ = signed_in
    with store.write() as session:
        auth.add_inspector(session, actor, auth.NewInspector("李四", "li", "another1", "3201002"))
    with store.read() as session:
        assert auth.authenticate(session, "li", "another1").cert_no == "3201002"
        assert auth.authenticate(session, "zhang", "demo1234") is not None


@pytest.mark.parametrize("new,message", [
    (auth.NewInspector("", "x", "longenough"), "姓名"),
    (auth.NewInspector("王五", "", "longenough"), "用户名"),
    (auth.NewInspector("王五", "wang", "short"), "至少需要 8 个字符"),
    (auth.NewInspector("王五", "zhang", "longenough"), "已被使用"),
])
def test_bad_accounts_are_refused_with_a_message(signed_in, new, message):
    store, actor, _ = signed_in
    with pytest.raises(auth.SetupError) as err, store.write() as session:
        auth.add_inspector(session, actor, new)
    assert message in str(err.value)


def test_setup_is_all_or_nothing(store):
    with pytest.raises(auth.SetupError), store.write() as session:
        auth.first_setup(session, "示例市市场监督管理局", "示例",
                         auth.NewInspector("张三", "zhang", "short"))
    with store.read() as session:
        assert auth.needs_setup(session)
        assert settings.AGENCY_NAME.get(session) == ""
