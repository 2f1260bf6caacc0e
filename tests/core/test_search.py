"""Substring search over Chinese text, including 1- and 2-character queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from inspector_app.core import queries, records, search
from inspector_app.core.models import LabelCheck, Market, Party


@pytest.mark.parametrize("text,query,found", [
    ("东门电器商行", "商行", True),
    ("东门电器商行", "电器商", True),
    ("东门电器商行", "器商行", True),
    ("东门电器商行", "商", True),
    ("东门电器商行", "行", True),
    ("东门电器商行", "门商", False),
    ("𠮷祥日杂商行", "𠮷祥", True),
    ("𠮷祥日杂商行", "𠮷", True),
    ("SC12345678", "sc1234", True),
    ("电水壶 商行", "壶商", False),  # not across a word break
])
def test_match_is_exact_substring(store, text, query, found):
    with store.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("INSERT INTO search_docs(rowid, kind, record_id) "
                             "VALUES (1, 'check', 'r1')")
        conn.exec_driver_sql("INSERT INTO search_check(rowid, grams) VALUES (1, ?)",
                             (" ".join(search.tokens(text)),))
        hits = conn.exec_driver_sql(
            search.matching_ids_sql("check").replace(":match", "?"),
            (search.match_expression(query),)).all()
    assert (hits == [("r1",)]) is found


def test_query_of_only_punctuation_matches_nothing():
    assert search.match_expression(" ,。- ") is None


def _add(session, actor, market, party, product, days_ago, status="final"):
    check = LabelCheck(
        checked_at=datetime.now(UTC) - timedelta(days=days_ago),
        market_id=market.id, party_id=party.id, product_name=product, status=status)
    return records.create(session, check, actor)


def test_list_filters_combine(signed_in):
    store, actor, _ = signed_in
    with store.write() as session:
        east = records.create(session, Market(name="东门市场"), actor)
        west = records.create(session, Market(name="西门市场"), actor)
        shop = records.create(session, Party(name="华联电器商行"), actor)
        a = _add(session, actor, east, shop, "电热水壶", 1)
        b = _add(session, actor, west, shop, "电水壶", 3, status="draft")
        c = _add(session, actor, east, shop, "插线板", 40)
    with store.read() as session:
        ids = queries.list_ids
        assert ids(session, "check") == [a.id, b.id, c.id]  # newest first
        assert set(ids(session, "check", queries.Filter(text="水壶"))) == {a.id, b.id}
        assert ids(session, "check", queries.Filter(text="水壶", market_id=east.id)) == [a.id]
        assert ids(session, "check", queries.Filter(status="draft")) == [b.id]
        assert ids(session, "check", queries.Filter(text="商行")) == [a.id, b.id, c.id]
        recent = queries.Filter(date_from=date.today() - timedelta(days=7))
        assert ids(session, "check", recent) == [a.id, b.id]
        rows = queries.fetch_rows(session, "check", [a.id])
        columns = [col.key for col in queries.COLUMNS["check"]]
        assert rows[a.id][columns.index("party")] == "华联电器商行"


def test_renaming_a_party_updates_the_search(signed_in):
    store, actor, _ = signed_in
    with store.write() as session:
        market = records.create(session, Market(name="东门市场"), actor)
        party = records.create(session, Party(name="老王五金店"), actor)
        check = _add(session, actor, market, party, "插线板", 1)
    with store.write() as session:
        party = session.get(Party, party.id)
        party.name = "新华五金店"
        records.update(session, party, actor, expected_version=1)
    with store.read() as session:
        assert queries.list_ids(session, "check", queries.Filter(text="新华")) == [check.id]
        assert queries.list_ids(session, "check", queries.Filter(text="老王")) == []
