"""The form built from a definition: every category renders, conditional fields and items
follow the values live, problems show under their fields, and Enter moves on."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from inspector_app.forms import definitions
from inspector_app.ui.checks import CheckDialog
from inspector_app.ui.checks.form import Checklist, FieldsForm

CATEGORIES = [d.id for d in definitions.builtin().current()]


def _dialog(qtbot, env, **kw) -> CheckDialog:
    store, actor, _market = env
    dialog = CheckDialog(store, actor, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.page.dialog = dialog  # keep the window alive as long as the test holds its page
    return dialog


def _choose_category(qtbot, page, form_id: str) -> None:
    page.category.setCurrentIndex(page.category.findData(form_id))
    qtbot.waitUntil(lambda: page.defn.id == form_id)


@pytest.mark.parametrize("form_id", CATEGORIES)
def test_every_category_renders_its_fields_and_checklist(qtbot, env, form_id):
    dialog = _dialog(qtbot, env)
    page = dialog.page
    _choose_category(qtbot, page, form_id)
    defn = page.defn
    assert set(page.fields.rows) == {f.key for f in defn.fields}
    for f in defn.fields:
        row = page.fields.rows[f.key]
        assert f.label() in row.label.text()
        assert ("*" in row.label.text()) == f.required
        assert page.fields.is_shown(f.key) == (f.key in defn.visible_keys(page.fields.values()))
    shown = page.checklist.applicable_keys()
    assert shown == [i.key for i in defn.applicable_items(page.fields.values())]
    assert [page.checklist.rows[k].number.text() for k in shown] == [
        f"{n}." for n in range(1, len(shown) + 1)]
    assert page.title.text()


def test_a_widget_per_field_type(qtbot, env):
    page = _dialog(qtbot, env).page
    _choose_category(qtbot, page, "packaged_food")
    rows = page.fields.rows
    assert isinstance(rows["packaging"].editor, QComboBox)
    assert isinstance(rows["barcode"].editor, QLineEdit)
    assert rows["production_date"].editor.placeholderText()
    assert page.fields.findChild(type(page.fields.rows["barcode"].editor), "field_barcode")


def test_conditional_fields_and_items_follow_the_values_live(qtbot, env):
    page = _dialog(qtbot, env).page
    _choose_category(qtbot, page, "packaged_food")
    assert page.fields.is_shown("licence_no")
    assert "name_addr" in page.checklist.applicable_keys()
    combo = page.fields.rows["packaging"].editor
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # 预包装 -> 散装
    assert combo.currentData() == "bulk"
    assert not page.fields.is_shown("licence_no")
    items = page.checklist.applicable_keys()
    assert "bulk_display" in items and "name_addr" not in items and "not_expired" in items

    _choose_category(qtbot, page, "electrical_ccc")
    switch = page.fields.rows["ccc_required"].editor
    assert switch.value() == "yes" and page.fields.is_shown("ccc_cert_no")
    switch.setFocus()
    qtbot.keyClick(switch, Qt.Key.Key_N)
    assert switch.value() == "no"
    assert not page.fields.is_shown("ccc_cert_no")
    assert "ccc" not in page.checklist.applicable_keys()

    _choose_category(qtbot, page, "agricultural_inputs")
    kind = page.fields.rows["input_type"].editor
    kind.setCurrentIndex(kind.findData("pesticide"))
    assert page.fields.is_shown("pest_reg_no") and not page.fields.is_shown("variety_no")
    assert {"pest_reg", "toxicity"} <= set(page.checklist.applicable_keys())


def test_values_carry_over_when_the_category_changes(qtbot, env, type_text):
    page = _dialog(qtbot, env).page
    _choose_category(qtbot, page, "general_goods")
    type_text(page.fields.rows["product_name"].editor, "雨伞")
    _choose_category(qtbot, page, "textiles_garments")
    assert page.fields.values()["product_name"] == "雨伞"
    assert page.fields.values()["for_infants"] is False  # the new definition's default


def test_problems_show_under_their_field_in_the_users_language(qtbot, env, type_text):
    page = _dialog(qtbot, env).page
    _choose_category(qtbot, page, "electrical_ccc")
    barcode = page.fields.rows["barcode"]
    barcode.editor.setFocus()
    qtbot.keyClicks(barcode.editor, "6901234567890")
    assert not barcode.error.isVisible()  # not while typing
    qtbot.keyClick(barcode.editor, Qt.Key.Key_Tab)
    assert barcode.error.isVisible() and "校验码" in barcode.error.text()
    barcode.editor.setFocus()
    qtbot.keyClick(barcode.editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(barcode.editor, "2")
    assert not barcode.error.isVisible()  # gone as soon as the value is right

    cert = page.fields.rows["ccc_cert_no"]
    cert.editor.setFocus()
    qtbot.keyClicks(cert.editor, "123")
    qtbot.keyClick(cert.editor, Qt.Key.Key_Return)
    assert cert.error.isVisible() and "16" in cert.error.text()


def test_finalising_an_empty_form_marks_every_problem(qtbot, env):
    page = _dialog(qtbot, env).page
    _choose_category(qtbot, page, "electrical_ccc")
    with qtbot.waitSignal(page.busy_changed, check_params_cb=lambda busy: not busy):
        page.finalise()
    assert page.status == "new"
    assert page.header_errors["market"].isVisible()
    assert page.fields.rows["product_name"].error.isVisible()
    assert page.checklist.rows["cert"].error.isVisible()
    assert page.problem_label.isVisible()
    assert QApplication.focusWidget() is page.market  # the first problem gets the focus


def test_enter_moves_to_the_next_field_and_keys_answer_items(qtbot, env, type_text):
    page = _dialog(qtbot, env).page
    _choose_category(qtbot, page, "electrical_ccc")
    name = page.fields.rows["product_name"].editor
    name.setFocus()
    type_text(name, "电吹风")
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is page.fields.rows["brand"].editor

    first = page.checklist.rows["cert"]
    first.switch.setFocus()
    qtbot.keyClick(first.switch, Qt.Key.Key_1)
    assert first.switch.value() == "pass"
    assert QApplication.focusWidget() is page.checklist.rows["name_addr"].switch
    second = page.checklist.rows["name_addr"]
    qtbot.keyClick(second.switch, Qt.Key.Key_2)
    assert second.switch.value() == "fail"
    assert QApplication.focusWidget() is second.note  # a failure asks what was found
    assert "1 item(s) fail" in page.computed.text() or "1" in page.computed.text()


def test_fields_form_and_checklist_stand_alone(qtbot):
    defn = definitions.builtin().latest("textiles_garments")
    form, checklist = FieldsForm(defn), Checklist(defn)
    qtbot.addWidget(form)
    qtbot.addWidget(checklist)
    form.set_values({"product_name": "婴儿连体衣", "for_infants": True})
    checklist.apply(form.values())
    assert "infant" in checklist.applicable_keys()
    form.set_values({"product_name": "T恤", "for_infants": False})
    checklist.apply(form.values())
    assert "infant" not in checklist.applicable_keys()
