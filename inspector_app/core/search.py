"""Substring search over Chinese text with an index of character bigrams.

SQLite's FTS5 `trigram` tokenizer answers queries of fewer than 3 characters with no rows,
and most Chinese search words are 2 characters. So each record's searchable text is split
into runs of letters and digits, each run into overlapping bigrams (plus its last character,
so single characters are found too), and those tokens go into an FTS5 table per record kind.
A query becomes a phrase of consecutive bigrams, which matches exactly when the text
contains the query as a substring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, text

KINDS = ("check", "seizure", "worklog")

def _joined(*fields: str) -> str:
    """SQL joining `fields` with a separator that is never part of a token."""
    return " || ' | ' || ".join(f"coalesce({f}, '')" for f in fields)


# What each kind's searchable text is made of: one row (id, text) per record.
_SOURCE_SQL = {
    "check": f"""
        SELECT r.id, {_joined("r.product_name", "r.brand", "r.manufacturer", "r.barcode",
                              "r.category", "r.batch_no", "p.name", "p.credit_code",
                              "s.number", "m.name")}
        FROM label_checks r
        LEFT JOIN parties p ON p.id = r.party_id
        LEFT JOIN stalls s ON s.id = r.stall_id
        LEFT JOIN markets m ON m.id = r.market_id""",
    "seizure": f"""
        SELECT r.id, {_joined("r.number", "r.place", "r.suspected_violation", "p.name",
                              "p.credit_code", "m.name",
                              "(SELECT group_concat(i.name, ' | ') FROM seizure_items i "
                              "WHERE i.seizure_id = r.id)")}
        FROM seizures r
        LEFT JOIN parties p ON p.id = r.party_id
        LEFT JOIN markets m ON m.id = r.market_id""",
    "worklog": f"""
        SELECT r.id, {_joined("r.log_date", "r.operator_name", "r.summary", "m.name",
                              "(SELECT group_concat(DISTINCT t.product_name) FROM rapid_tests t "
                              "WHERE t.worklog_id = r.id)")}
        FROM work_logs r
        LEFT JOIN markets m ON m.id = r.market_id""",
}

_RUN = re.compile(r"[^\W_]+")


def runs(value: str) -> list[str]:
    """Lower-cased runs of letters and digits (CJK included)."""
    return _RUN.findall(value.lower())


def tokens(value: str) -> list[str]:
    """The bigram tokens of `value`, each run ended by its last character."""
    out: list[str] = []
    for run in runs(value):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def match_expression(query: str) -> str | None:
    """The FTS5 query for `query`, or None when it has nothing searchable."""
    parts: list[str] = []
    for run in runs(query):
        if len(run) == 1:
            parts.append(f'"{run}"*')
        else:
            parts.append('"' + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + '"')
    return " AND ".join(parts) if parts else None


def reindex(conn: Connection, kind: str, ids: Sequence[str] | None = None) -> int:
    """(Re)build the index entries of `kind` for `ids`, or for every record."""
    sql = _SOURCE_SQL[kind]
    if ids is None:
        rows = conn.exec_driver_sql(sql).all()
        conn.exec_driver_sql(f"DELETE FROM search_{kind}")
        conn.execute(text("DELETE FROM search_docs WHERE kind = :k"), {"k": kind})
    else:
        rows = []
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows += conn.exec_driver_sql(f"{sql} WHERE r.id IN ({marks})", tuple(chunk)).all()
            old = conn.exec_driver_sql(
                f"SELECT rowid FROM search_docs WHERE kind = ? AND record_id IN ({marks})",
                (kind, *chunk),
            ).all()
            if old:
                conn.exec_driver_sql(
                    f"DELETE FROM search_{kind} WHERE rowid IN ({','.join('?' * len(old))})",
                    tuple(r[0] for r in old),
                )
                conn.exec_driver_sql(
                    f"DELETE FROM search_docs WHERE rowid IN ({','.join('?' * len(old))})",
                    tuple(r[0] for r in old),
                )
    _insert(conn, kind, rows)
    return len(rows)


def _insert(conn: Connection, kind: str, rows: Iterable[tuple[str, str | None]]) -> None:
    raw = conn.connection.driver_connection
    cur = raw.cursor()
    start = cur.execute("SELECT coalesce(max(rowid), 0) FROM search_docs").fetchone()[0]
    docs, grams = [], []
    for n, (record_id, body) in enumerate(rows, start=start + 1):
        docs.append((n, kind, record_id))
        grams.append((n, " ".join(tokens(body or ""))))
    cur.executemany("INSERT INTO search_docs(rowid, kind, record_id) VALUES (?, ?, ?)", docs)
    cur.executemany(f"INSERT INTO search_{kind}(rowid, grams) VALUES (?, ?)", grams)
    cur.close()


def matching_ids_sql(kind: str) -> str:
    """SQL selecting the ids of `kind` whose text matches the bound parameter :match."""
    return (
        f"SELECT d.record_id FROM search_{kind} f JOIN search_docs d ON d.rowid = f.rowid "
        f"WHERE search_{kind} MATCH :match"
    )


CREATE_SQL = [
    (
        "CREATE TABLE search_docs (rowid INTEGER PRIMARY KEY, kind VARCHAR(16) NOT NULL, "
        "record_id VARCHAR(36) NOT NULL)"
    ),
    "CREATE UNIQUE INDEX ix_search_docs_record ON search_docs (kind, record_id)",
    *(
        f"CREATE VIRTUAL TABLE search_{k} USING fts5(grams, tokenize='ascii')"
        for k in KINDS
    ),
]
DROP_SQL = [f"DROP TABLE search_{k}" for k in KINDS] + ["DROP TABLE search_docs"]


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """For Alembic: the search tables are made by hand above, not by the ORM."""
    return not (type_ == "table" and name and name.startswith("search_"))
