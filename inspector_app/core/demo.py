"""Realistic Simplified-Chinese demo data, written fast and with full evidence.

`generate(store, n)` adds markets, stalls, parties and (if needed) a team of inspectors,
then `n` records of each kind: labeling checks, seizures and workstation logs, spread over
the last two years. It is meant for demonstrations, training and load tests: 100,000 of
each kind (300,000 records with about 3.5 million parts) take well under a minute on two
CPUs.

Evidence: every audited row gets exactly what `records.create` would have written: a
history row with its canonical JSON, a chained audit entry (`audit.Chain`) and an outbox
entry, so `audit.verify` passes on a demo store. The canonical content is made from the
row dicts with the keys and value forms `canonical.to_dict` gives the reloaded row (times
are whole seconds and decimals fit their column's scale, so they come back unchanged).

Speed: nothing goes through the ORM. Rows are plain dicts written with the DB-API
`executemany` (positional parameters) inside the store's write transaction; secondary
indexes of the bulk tables are dropped and built again at the end (in the transaction);
records are indexed for search (`search.reindex` with their ids) batch by batch; and with
two or more CPUs the records are made in a worker process while this one writes them.

Deterministic for a given seed and `now`: every random choice, record ids included, comes
from `random.Random(seed)`, in the worker process or not. Personal data (ID numbers,
phones) is made up, but valid by the checksum rules, so the forms accept it.
"""

from __future__ import annotations

import heapq
import json
import logging
import marshal
import os
import pickle
import random
import struct
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from datetime import time as dtime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Integer, Numeric, String, Table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection

from inspector_app.core import audit, canonical, search, settings
from inspector_app.core.models import (
    RECORD_KINDS,
    Base,
    Inspector,
    LabelCheck,
    Market,
    Party,
    Seizure,
    SeizureTransition,
    Stall,
    UTCDateTime,
    WorkLog,
)
from inspector_app.core.records import Actor
from inspector_app.core.store import Store, utcnow
from inspector_app.core.validation import (
    credit_code_check_char,
    gtin13_check_digit,
    id_number_check_char,
)

log = logging.getLogger(__name__)

__all__ = ["DEMO_PASSWORD", "LAST_TIMINGS", "generate"]

DEMO_PASSWORD = "demo1234"
DOC_SEGMENT = "DEMO"  # the document-number segment of demo seizures (see seizure.numbering)
OFFSET = 480  # minutes east of UTC: the demo device runs on China Standard Time
LOCAL = timezone(timedelta(minutes=OFFSET))
DAYS = 730  # records are spread over this many days before today
CHUNK = 5000  # top-level records per executemany round
# Fraction of the worklog slots (market x day) a run may fill; more markets are added
# when the requested number of logs does not fit (one log per market and day).
SLOT_FILL = 0.7

#: Seconds spent in each phase of the last `generate` call (for profiling).
LAST_TIMINGS: dict[str, float] = {}


# --- value forms ------------------------------------------------------------------------


def _ct(moment: datetime) -> str:
    """canonical.plain of an aware UTC datetime, made faster than strftime."""
    text = moment.isoformat()  # 2025-01-02T03:04:05[.123456]+00:00
    if text[-6:] != "+00:00":
        raise ValueError("demo times must be UTC")
    return text[:19] + ".000000Z" if len(text) == 25 else text[:26] + "Z"


def _num(value: Decimal) -> str:
    """A decimal as canonical text; SQLite's NUMERIC affinity stores it as the number."""
    return canonical.plain(value)


def _scaled(n: int, places: int) -> str:
    """_num(Decimal(n).scaleb(-places)) for n >= 0, without making the Decimal."""
    whole, frac = divmod(n, 10 ** places)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:0{places}d}".rstrip("0")


# SQL turning canonical time text (2025-01-02T03:04:05.000000Z) into SQLAlchemy's SQLite
# storage text (2025-01-02 03:04:05.000000); NULL stays NULL.
_DB_TIME = "substr({0}, 1, 10) || ' ' || substr({0}, 12, 15)"


# --- table metadata and the writer -------------------------------------------------------
#
# A row dict holds a row's canonical values: times as canonical text (converted to
# SQLAlchemy's storage form by the INSERT statement), decimals as canonical text (which
# SQLite's NUMERIC affinity stores as the number SQLAlchemy would have bound), booleans,
# integers and strings as they are. So a record's row dict is, with its "kind", parts and
# attachments added, the very dict `canonical.to_dict` makes of the reloaded row. Parts
# are written without their parent key, which the writer adds after the content is made.


@dataclass
class _Meta:
    table: Table
    kind: str | None
    canon: tuple[str, ...]  # keys of the canonical content
    copy: bool  # the row dict cannot double as the canonical dict
    parent_key: str | None  # for parts: the key naming the record, left out of the content
    relations: tuple[tuple[str, type], ...] = ()  # one-to-many relationships, in mapper order
    fill: dict[str, Any] | None = None  # values of the columns the demo rows leave out


def _meta(model: type) -> _Meta:
    table: Table = model.__table__
    kind = getattr(model, "__kind__", None)
    unknown = [c.key for c in table.columns
               if not isinstance(c.type, (UTCDateTime, Numeric, Boolean, Integer, String))]
    if unknown:  # a value form this module does not know how to write
        raise RuntimeError(f"demo data cannot write {table.name} columns {unknown}")
    # The same columns canonical.to_dict takes: all but pk and password_hash, and for
    # parts, their parent's key.
    skip = set(canonical._SKIP) | (set() if kind else set(canonical._SKIP_FK))
    mapper = sa_inspect(model)
    canon = tuple(a.key for a in mapper.column_attrs if a.key not in skip)
    columns = {c.key for c in table.columns}
    parent_keys = sorted(columns & set(canonical._SKIP_FK)) if not kind else []
    relations = tuple(
        (rel.key, rel.mapper.class_) for rel in mapper.relationships
        if rel.uselist and rel.direction.name == "ONETOMANY"
    )
    extra = {"kind", "attachments", *(r[0] for r in relations)}
    copy = bool(columns & (set(canonical._SKIP) | extra))
    return _Meta(table, kind, canon, copy, parent_keys[0] if parent_keys else None,
                 relations)


def _insert_sql(table: Table) -> tuple[str, Callable[[dict[str, Any]], tuple], int]:
    """The INSERT statement of `table`, what makes its parameters from a row dict, and
    where the "id" is among them (-1: nowhere)."""
    # Autoincrement keys are left to SQLite; the audit chain brings its own seq.
    columns = [c for c in table.columns
               if not (c.key == "pk" or (c.key == "seq" and table.name == "outbox"))]
    values = [_DB_TIME.format(f"?{n}") if isinstance(c.type, UTCDateTime) else f"?{n}"
              for n, c in enumerate(columns, start=1)]
    sql = (f"INSERT INTO {table.name} ({', '.join(c.key for c in columns)}) "
           f"VALUES ({', '.join(values)})")
    # Positional parameters bind about twice as fast as named ones.
    keys = [c.key for c in columns]
    getter = itemgetter(*keys)
    return (sql, getter if len(keys) > 1 else (lambda row: (getter(row),)),
            keys.index("id") if "id" in keys else -1)


_META: dict[type, _Meta] = {}

# canonical.dumps is json.dumps with these arguments; one encoder made once saves making
# one per record. `_encoder_matches` checks the two still agree before each run.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            check_circular=False)


def _encoder_matches() -> bool:
    sample = {"b": [{"z": 1, "a": "𠮷\n\"x\\\u2028\x7f\x01"}, {"z": -2, "a": ""}],
              "a": None, "c": True, "f": False, "d": "12.5", "é": [], "kind": "check"}
    return _ENCODER.encode(sample) == canonical.dumps(sample)


# Tables whose rows the writer makes itself (not through `add`).
_UNAUDITED = frozenset({"history", "audit_log", "outbox", "seizure_doc_numbers"})


def _meta_of(model: type) -> _Meta:
    meta = _META.get(model)
    if meta is None:
        meta = _META[model] = _meta(model)
    return meta


def _fill_for(table: Table, row: dict[str, Any], later: str | None = None) -> dict[str, Any]:
    """Values for the columns `row` leaves out, as the ORM would have set them.

    Columns added to the models later get their default (or NULL), so the demo keeps
    working, with matching canonical content, when the schema grows. `later` is a column
    set after this check (a part's parent key).
    """
    expected = {c.key for c in table.columns} - {"pk", later}
    if table.name == "outbox":
        expected.discard("seq")
    unknown = set(row) - expected
    if unknown:
        raise RuntimeError(f"demo rows for {table.name} have unknown columns {sorted(unknown)}")
    fill: dict[str, Any] = {}
    for key in sorted(expected - set(row)):
        column = table.columns[key]
        default = column.default
        if default is not None and default.is_scalar and not isinstance(
                column.type, (UTCDateTime, Numeric)):
            fill[key] = default.arg
        elif column.nullable:
            fill[key] = None
        else:
            raise RuntimeError(f"demo rows for {table.name} need a value for {key}")
    return fill


def _fill(meta: _Meta, rows: list[dict[str, Any]]) -> None:
    fill = meta.fill
    if fill is None:
        fill = meta.fill = _fill_for(meta.table, rows[0], meta.parent_key)
    if fill:
        for row in rows:
            for key, value in fill.items():
                row.setdefault(key, value)


# A batch of rows ready for executemany: [(table name, [parameter tuples])], parents first.
_Batch = list[tuple[str, list[tuple]]]


class _Writer:
    """Collects rows per table, with history, audit chain and outbox, and hands them over
    in batches of parameter tuples to `sink` (which writes them, or sends them on)."""

    def __init__(self, chain: audit.Chain, timer: _Timer, sink: Callable[[_Batch], None]):
        self.chain = chain
        self.timer = timer
        self.sink = sink
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.fills: dict[str, dict[str, Any]] = {}  # of the tables filled here, not in add
        self.dumps: Callable[[Any], str] = (
            _ENCODER.encode if _encoder_matches() else canonical.dumps)

    def add(self, model: type, row: dict[str, Any], at: datetime,
            children: dict[str, list[dict[str, Any]]] | None = None) -> None:
        """Queue an audited row (version 1, last changed `at`) with its parts."""
        meta = _meta_of(model)
        rows = self.rows
        if meta.fill is None or meta.fill:
            _fill(meta, [row])
        rows[meta.table.name].append(row)
        data = {k: row[k] for k in meta.canon} if meta.copy else row
        data["kind"] = meta.kind  # as canonical.to_dict does
        linked = []
        for key, child_model in meta.relations:
            parts = children.get(key) if children else None
            if parts:
                child_meta = _meta_of(child_model)
                if child_meta.fill is None or child_meta.fill:
                    _fill(child_meta, parts)
                rows[child_meta.table.name].extend(parts)
                linked.append((child_meta.parent_key, parts))
                data[key] = parts
            else:
                data[key] = []
        content = self.dumps(canonical.compact(data))
        digest = canonical.sha256_text(content)
        record_id, stored_at = row["id"], row["updated_at"]
        for parent_key, parts in linked:  # now that the content is made
            for part in parts:
                part[parent_key] = record_id
        rows["history"].append(
            {"kind": meta.kind, "record_id": record_id, "version": 1, "content": content})
        entry = self.chain.append(at, meta.kind, record_id, 1, "create", row["device_id"],
                                  row["author_id"], digest)
        entry["at"] = stored_at
        rows["audit_log"].append(entry)
        rows["outbox"].append({"kind": meta.kind, "record_id": record_id, "version": 1,
                               "created_at": stored_at, "acked_at": None})

    def flush(self) -> None:
        self.timer.lap("build")
        batch: _Batch = []
        for table in _ORDER:
            name = str(table.name)  # a plain str (marshal refuses SQLAlchemy's subclass)
            rows = self.rows.pop(name, None)
            if not rows:
                continue
            if name in _UNAUDITED:
                fill = self.fills.get(name)
                if fill is None:
                    fill = self.fills[name] = _fill_for(table, rows[0])
                for row in rows:
                    for key, value in fill.items():
                        row.setdefault(key, value)
            batch.append((name, list(map(_statement(name)[1], rows))))
            self.counts[name] += len(rows)
        if self.rows:
            raise RuntimeError(f"demo rows for unknown tables: {sorted(self.rows)}")
        self.timer.lap("convert")
        if batch:
            self.sink(batch)


_STATEMENTS: dict[str, tuple[str, Callable[[dict[str, Any]], tuple], int]] = {}


def _statement(table_name: str) -> tuple[str, Callable[[dict[str, Any]], tuple], int]:
    found = _STATEMENTS.get(table_name)
    if found is None:
        found = _STATEMENTS[table_name] = _insert_sql(Base.metadata.tables[table_name])
    return found


_RECORD_TABLES = {model.__tablename__: kind for kind, model in RECORD_KINDS.items()}


class _DbSink:
    """Writes batches with the DB-API cursor of the write transaction's connection, and
    indexes the records of each batch for search (`search.reindex` with their ids)."""

    def __init__(self, conn: Connection, timer: _Timer):
        self.conn = conn
        self.cursor = conn.connection.driver_connection.cursor()
        self.timer = timer
        self.search = False  # index for search as the records come

    def __call__(self, batch: _Batch) -> None:
        for name, params in batch:
            self.cursor.executemany(_statement(name)[0], params)
        self.timer.lap("insert")
        if self.search:
            for name, params in batch:
                kind = _RECORD_TABLES.get(name)
                if kind:
                    at = _statement(name)[2]
                    search.reindex(self.conn, kind, [p[at] for p in params])
            self.timer.lap("search")

    def close(self) -> None:
        self.cursor.close()


_ORDER = list(Base.metadata.sorted_tables)  # parents before children
# Tables the demo writes to, whose secondary indexes are rebuilt after a bulk load.
_BULK_TABLES = ("history", "audit_log", "outbox", "label_checks", "check_items", "seizures",
                "seizure_officers", "seizure_items", "seals", "seizure_transitions",
                "work_logs", "rapid_tests", "scale_checks", "complaints")
# Indexes that search.reindex needs (it reads the parts of each record), kept in place.
_KEEP_INDEXES = ("ix_seizure_items_seizure_id", "ix_rapid_tests_worklog_id")
DEFER_INDEXES = True


def _drop_indexes(conn: Connection) -> list[str]:
    """Drop the plain (CREATE INDEX) indexes of the bulk tables; return their SQL.

    Building an index once over sorted keys is much faster than growing it by a few
    million random inserts. Constraint indexes (primary keys, UNIQUE) stay. It all happens
    in the write transaction, so a failure rolls the indexes back with the rows.
    """
    marks = ", ".join("?" * len(_BULK_TABLES))
    rows = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) ORDER BY name", _BULK_TABLES).all()
    rows = [(name, sql) for name, sql in rows if name not in _KEEP_INDEXES]
    for name, _sql in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


# --- the vocabulary ---------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建文辉力鹏斌宇浩凯玲丹林"
         "海波宁欣颖志国春梅雪荣晨亮峰琳婷飞鑫成龙俊云佳嘉振德庆福生兵东新永金晓")
BRANDS = ("金禾", "恒泰", "鑫源", "瑞丰", "康乐", "佳美", "顺达", "永盛", "福满", "宏图", "安泰", "华丰", "兴隆", "乐家", "美厨",
          "凯达", "昌盛", "和润", "天禾", "绿源", "新农", "丰收", "宝利", "惠民", "益康", "嘉禾", "盛源", "万通", "金盾", "长兴",
          "百福", "家和")
SHOP_WORDS = ("恒泰", "鑫源", "瑞丰", "顺达", "永盛", "福满", "宏图", "安泰", "华丰", "兴隆", "昌盛", "和润", "盛源", "万通",
              "长兴", "百福", "家和", "诚信", "富民", "隆达", "金鹏", "友谊", "宏发", "旺旺", "众诚", "利民", "德顺", "祥和")
# Names outside the Basic Multilingual Plane: storage, search and printing must cope.
NON_BMP_WORDS = ("𠮷祥", "𠮷利", "𪚥兴", "𠮷顺", "鑫𪚥", "𩽾𩾌")
DISTRICTS = ("东城", "西城", "城南", "城北", "江北", "江南", "河西", "河东", "高新", "经开", "南湖", "北湖", "青山", "白云",
             "龙华", "金沙", "新华", "长安", "桥东", "桥西", "滨江", "望江", "东湖", "西郊", "北郊", "南郊", "花园", "临港",
             "双桥", "石门")
ROADS = ("人民路", "解放路", "建设路", "中山路", "和平路", "胜利路", "商贸大道", "工业路", "兴业路", "振兴路", "光明路", "长江路",
         "黄河路", "迎宾大道", "市场路")
# (province, city, district) of manufacturers
PLACES = (
    ("江苏省", "苏州市", "相城区"), ("浙江省", "宁波市", "慈溪市"), ("广东省", "佛山市", "顺德区"),
    ("山东省", "临沂市", "兰山区"), ("河南省", "郑州市", "新郑市"), ("福建省", "泉州市", "晋江市"),
    ("安徽省", "合肥市", "肥东县"), ("湖北省", "武汉市", "东西湖区"), ("河北省", "石家庄市", "藁城区"),
    ("四川省", "成都市", "新都区"), ("浙江省", "金华市", "义乌市"), ("广东省", "汕头市", "澄海区"),
    ("江苏省", "常州市", "武进区"), ("湖南省", "长沙市", "望城区"), ("江西省", "南昌市", "新建区"),
)
PARKS = ("工业园区", "经济开发区", "高新技术产业园", "工业集中区", "科技园")
# Administrative division codes: the city of the demo (credit codes) and the home towns
# of traders (ID numbers).
CITY_AREAS = ("320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115")
HOME_AREAS = CITY_AREAS + ("341221", "341222", "411522", "430521", "350583", "330382",
                           "362330", "321282", "340823", "420923", "510821", "370830")
MOBILE_PREFIXES = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157",
                   "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186",
                   "187", "188", "189", "191", "198", "199")

BASE_MARKETS = (
    ("东门农副产品批发市场", "东城区", "东城区东门路88号"),
    ("城南小商品批发市场", "城南区", "城南区商贸大道216号"),
    ("北郊建材市场", "北郊区", "北郊区建材路9号"),
    ("西关水产批发市场", "西城区", "西城区渔港路36号"),
    ("江北农资市场", "江北区", "江北区丰收路52号"),
    ("高新区电子电器城", "高新区", "高新区科技大道1号"),
    ("南湖果蔬批发市场", "南湖区", "南湖区南湖大道300号"),
    ("新华日用百货批发市场", "新华区", "新华区人民路155号"),
)
EXTRA_MARKET_TYPES = (
    "农贸市场", "农副产品批发市场", "果蔬批发市场", "水产市场", "综合批发市场", "小商品市场",
    "建材市场", "家电市场", "农资市场", "菜市场",
)
_PROFILE_KEYWORDS = (
    ("建材", "building"), ("水产", "seafood"), ("农资", "agri"), ("电器", "electric"),
    ("家电", "electric"), ("电子", "electric"), ("果蔬", "produce"), ("菜市场", "produce"),
    ("小商品", "goods"), ("百货", "goods"), ("综合", "goods"),
)

# business of a stall -> (check categories sold there, rapid-test groups)
BUSINESSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "粮油副食": (("food",), ("dry",)),
    "酒水饮料": (("food",), ()),
    "干货调料": (("food",), ("dry",)),
    "蔬菜": ((), ("veg",)),
    "水果": ((), ("fruit",)),
    "肉类": ((), ("meat",)),
    "水产品": ((), ("fish",)),
    "冻品": (("food",), ("fish",)),
    "日用百货": (("daily",), ()),
    "玩具文具": (("toy",), ()),
    "服装鞋帽": (("textile",), ("textile",)),
    "五金电料": (("electric", "wire"), ()),
    "家用电器": (("electric",), ()),
    "电线电缆": (("wire",), ()),
    "建筑材料": (("building",), ("board",)),
    "化肥": (("fertiliser",), ()),
    "种子": (("seed",), ()),
    "农药": (("pesticide",), ()),
}
PROFILES: dict[str, dict[str, int]] = {
    "food": {"粮油副食": 3, "酒水饮料": 1, "干货调料": 2, "蔬菜": 3, "水果": 2, "肉类": 2,
             "水产品": 2, "冻品": 1},
    "produce": {"蔬菜": 4, "水果": 4, "粮油副食": 1, "干货调料": 1},
    "seafood": {"水产品": 5, "冻品": 2, "干货调料": 2},
    "goods": {"日用百货": 3, "玩具文具": 2, "服装鞋帽": 3, "五金电料": 1, "粮油副食": 1},
    "building": {"建筑材料": 4, "电线电缆": 2, "五金电料": 2},
    "electric": {"家用电器": 4, "五金电料": 2, "电线电缆": 1},
    "agri": {"化肥": 3, "种子": 2, "农药": 2},
}
# rapid-test groups a market's workstation works on
PROFILE_TESTS = {
    "food": ("veg", "veg", "fruit", "meat", "fish", "dry"),
    "produce": ("veg", "veg", "fruit"),
    "seafood": ("fish", "fish", "dry"),
    "goods": ("textile", "dry", "veg"),
    "building": ("board",),
    "electric": ("veg", "fruit", "meat"),
    "agri": ("veg", "fruit"),
}
SHOP_TRADES = {
    "粮油副食": "粮油", "酒水饮料": "烟酒", "干货调料": "干货", "蔬菜": "蔬菜", "水果": "水果",
    "肉类": "肉食", "水产品": "水产", "冻品": "冻品", "日用百货": "日杂", "玩具文具": "玩具",
    "服装鞋帽": "服饰", "五金电料": "五金", "家用电器": "电器", "电线电缆": "电线电缆",
    "建筑材料": "建材", "化肥": "农资", "种子": "种业", "农药": "农资",
}
SHOP_TYPES = ("商行", "经营部", "批发部", "门市部", "店")

# checklist item key -> (label, legal basis, what a failure looks like)
_A27 = "产品质量法第二十七条第一款"
CHECK_ITEMS: dict[str, tuple[str, str, str]] = {
    "cert": ("产品质量检验合格证明", f"{_A27}第(一)项", "现场未能提供产品质量检验合格证明"),
    "name_addr": ("中文标明的产品名称、生产厂厂名和厂址", f"{_A27}第(二)项",
                  "未用中文标明生产厂厂址"),
    "spec": ("规格、等级、所含主要成份的名称和含量", f"{_A27}第(三)项", "未标明规格型号"),
    "standard": ("产品执行的标准代号", "产品标识标注规定", "未标注产品执行的标准代号"),
    "dates": ("生产日期和安全使用期或者失效日期", f"{_A27}第(四)项", "未在显著位置标明生产日期"),
    "warning": ("警示标志或者中文警示说明", f"{_A27}第(五)项", "缺少中文警示说明"),
    "licence_sc": ("食品生产许可证编号(SC)", "食品安全法第六十七条", "未标注食品生产许可证编号"),
    "ingredients": ("配料表", "GB 7718-2011", "配料表标示不完整"),
    "net_content": ("净含量和规格", "GB 7718-2011", "净含量标示不规范"),
    "storage": ("贮存条件", "GB 7718-2011", "未标示贮存条件"),
    "barcode": ("商品条码与产品信息一致", "商品条码管理办法", "商品条码与产品不符"),
    "ccc": ("CCC认证标志和有效的认证证书", "强制性产品认证管理规定", "未加施CCC认证标志"),
    "rating": ("额定电压、额定功率等主要技术参数", "GB 5296.2", "铭牌未标注额定功率"),
    "manual": ("中文使用说明书", "GB 5296.2", "无中文使用说明书"),
    "licence_xk": ("工业产品生产许可证编号", "工业产品生产许可证管理条例",
                   "生产许可证编号经查询无效"),
    "length": ("标称截面积和长度", "GB/T 5023", "未标明标称截面积"),
    "grade": ("产品等级、强度等级", f"{_A27}第(三)项", "未标明强度等级"),
    "nutrient": ("养分含量标明值", "GB 18382", "总养分含量标注不规范"),
    "fert_reg": ("肥料登记证号", "肥料登记管理办法", "未标注肥料登记证号"),
    "seed_label": ("品种名称、审定编号和质量指标", "种子法", "标签未标注品种审定编号"),
    "seed_licence": ("种子生产经营许可证编号", "种子法", "未标注种子生产经营许可证编号"),
    "pest_reg": ("农药登记证号、生产许可证号", "农药管理条例", "农药登记证号经查询不符"),
    "toxicity": ("毒性标识和安全间隔期", "农药管理条例", "未标注安全间隔期"),
    "usage": ("主要成分和使用方法", f"{_A27}第(三)项", "未标明使用方法"),
    "age": ("适用年龄范围及警示语", "GB 5296.5", "未标注适用年龄"),
    "fibre": ("纤维成分及含量", "GB 5296.4", "未标注纤维成分及含量"),
    "safety_class": ("安全技术类别", "GB 18401", "未标注安全技术类别"),
    "care": ("维护方法(洗涤标识)", "GB 5296.4", "缺少洗涤标识"),
}
COMMON_ITEMS = ("cert", "name_addr", "spec", "standard")
# Items that may not apply to a product ("na").
OPTIONAL_ITEMS = frozenset({"dates", "warning", "barcode", "manual", "storage", "grade"})


@dataclass(frozen=True)
class Category:
    label: str
    trade: str  # manufacturer's trade word
    items: tuple[str, ...]
    # (name, spec, unit, price from, price to, shelf life)
    products: tuple[tuple[str, str, str, int, int, str], ...]
    violations: tuple[tuple[str, str], ...]  # (suspected violation, legal basis)
    barcode_rate: float = 0.95


_PQL = "产品质量法第十八条第一款第(四)项"
_FSL = "食品安全法第一百一十条第(四)项"
_TML = "商标法第六十二条"
_UNSAFE = ("涉嫌销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品", _PQL)
_FAKE = ("涉嫌在产品中掺杂、掺假,以假充真、以次充好", _PQL)
_FORGED = ("涉嫌销售伪造或者冒用他人厂名、厂址的产品", _PQL)
_NO_CCC = ("涉嫌销售未经强制性产品认证的产品", _PQL)
_TRADEMARK = ("涉嫌销售侵犯注册商标专用权的商品", _TML)

CATEGORIES: dict[str, Category] = {
    "food": Category(
        "预包装食品", "食品",
        COMMON_ITEMS + ("dates", "licence_sc", "ingredients", "net_content", "storage", "barcode"),
        (("挂面", "1kg/袋", "袋", 6, 12, "12个月"), ("大米", "5kg/袋", "袋", 25, 45, "12个月"),
         ("菜籽油", "5L/桶", "桶", 60, 110, "18个月"),
         ("酿造酱油", "500mL/瓶", "瓶", 6, 15, "24个月"),
         ("苏打饼干", "400g/袋", "袋", 8, 15, "9个月"), ("火腿肠", "270g/袋", "袋", 8, 14, "6个月"),
         ("方便面", "5×100g/袋", "袋", 10, 16, "6个月"),
         ("纯牛奶", "250mL×12/箱", "箱", 40, 65, "6个月"),
         ("果汁饮料", "1.5L/瓶", "瓶", 6, 12, "12个月"),
         ("速冻水饺", "1kg/袋", "袋", 15, 30, "12个月"), ("腐乳", "300g/瓶", "瓶", 6, 12, "12个月"),
         ("白砂糖", "400g/袋", "袋", 5, 9, "24个月")),
        (("涉嫌经营不符合食品安全标准的食品", _FSL), ("涉嫌经营超过保质期的食品", _FSL),
         ("涉嫌经营标注虚假生产日期的食品", _FSL)),
    ),
    "electric": Category(
        "家用电器", "电器",
        COMMON_ITEMS + ("warning", "ccc", "rating", "manual", "barcode"),
        (("电热水壶", "1.7L 1800W", "台", 45, 150, ""), ("电吹风", "220V 2000W", "台", 40, 200, ""),
         ("电饭锅", "4L 800W", "台", 150, 400, ""), ("电磁炉", "2100W", "台", 150, 350, ""),
         ("落地扇", "55W", "台", 80, 250, ""), ("LED灯泡", "9W E27", "只", 5, 20, ""),
         ("移动式插座", "10A 250V 1.8m", "个", 20, 60, "")),
        (_NO_CCC, _UNSAFE, _FORGED, _TRADEMARK),
    ),
    "wire": Category(
        "电线电缆", "电线电缆",
        COMMON_ITEMS + ("ccc", "licence_xk", "length", "warning"),
        (("聚氯乙烯绝缘电线", "BV 2.5mm² 100m/卷", "卷", 180, 320, ""),
         ("聚氯乙烯绝缘电线", "BV 4mm² 100m/卷", "卷", 280, 480, ""),
         ("护套线", "BVVB 2×1.5mm² 100m/卷", "卷", 200, 360, ""),
         ("电力电缆", "YJV 3×4mm²", "米", 20, 40, "")),
        (_NO_CCC, _UNSAFE, _FAKE),
        barcode_rate=0.6,
    ),
    "building": Category(
        "建筑材料", "建材",
        COMMON_ITEMS + ("licence_xk", "grade", "warning", "dates"),
        (("通用硅酸盐水泥", "P·O 42.5 50kg/袋", "袋", 20, 30, "3个月"),
         ("PVC-U给水管", "dn25 1.6MPa 4m/根", "根", 10, 20, ""),
         ("陶瓷砖", "800×800mm", "片", 30, 80, ""),
         ("细木工板", "1220×2440×18mm E1级", "张", 120, 220, ""),
         ("内墙乳胶漆", "18L/桶", "桶", 180, 500, "36个月"),
         ("防水卷材", "SBS Ⅰ型 3mm 10m²/卷", "卷", 150, 260, "")),
        (_UNSAFE, _FAKE, _FORGED),
        barcode_rate=0.5,
    ),
    "fertiliser": Category(
        "化肥", "肥业",
        COMMON_ITEMS + ("nutrient", "fert_reg", "dates", "warning"),
        (("复合肥料", "15-15-15 50kg/袋", "袋", 150, 220, ""),
         ("尿素", "N≥46.4% 40kg/袋", "袋", 100, 140, ""),
         ("磷酸二铵", "18-46-0 50kg/袋", "袋", 180, 240, ""),
         ("有机肥料", "40kg/袋", "袋", 30, 60, "24个月"),
         ("水溶肥料", "20-20-20 10kg/袋", "袋", 80, 150, "36个月")),
        (_FAKE, _UNSAFE, _FORGED),
        barcode_rate=0.4,
    ),
    "seed": Category(
        "种子", "种业",
        COMMON_ITEMS + ("seed_label", "seed_licence", "dates"),
        (("杂交水稻种子", "1kg/袋", "袋", 40, 90, "12个月"), ("玉米种子", "2kg/袋", "袋", 30, 70, "12个月"),
         ("小麦种子", "25kg/袋", "袋", 80, 130, "12个月"), ("辣椒种子", "10g/袋", "袋", 8, 30, "24个月"),
         ("西瓜种子", "50粒/袋", "袋", 10, 40, "24个月")),
        (_FAKE, _FORGED),
        barcode_rate=0.3,
    ),
    "pesticide": Category(
        "农药", "农化",
        COMMON_ITEMS + ("pest_reg", "toxicity", "dates", "warning"),
        (("草甘膦异丙胺盐水剂", "41% 1L/瓶", "瓶", 20, 40, "24个月"),
         ("吡虫啉可湿性粉剂", "10% 20g/袋", "袋", 2, 5, "24个月"),
         ("阿维菌素乳油", "1.8% 100mL/瓶", "瓶", 5, 12, "24个月"),
         ("多菌灵可湿性粉剂", "50% 100g/袋", "袋", 3, 8, "24个月")),
        (_FAKE, _UNSAFE),
        barcode_rate=0.5,
    ),
    "daily": Category(
        "日用化学品", "日化",
        COMMON_ITEMS + ("dates", "warning", "usage", "barcode"),
        (("洗衣粉", "1.5kg/袋", "袋", 12, 25, "36个月"), ("洗洁精", "1.29kg/瓶", "瓶", 8, 15, "36个月"),
         ("牙膏", "120g/支", "支", 6, 20, "36个月"), ("卫生纸", "10卷/提", "提", 15, 30, "36个月"),
         ("一次性塑料餐盒", "750mL 50只/包", "包", 8, 15, "")),
        (_TRADEMARK, _FAKE, _FORGED),
    ),
    "toy": Category(
        "儿童玩具", "玩具",
        COMMON_ITEMS + ("ccc", "warning", "age", "barcode"),
        (("惯性玩具车", "适用3岁以上", "个", 10, 40, ""), ("毛绒玩具", "30cm", "个", 20, 60, ""),
         ("电动玩具", "3×AA电池", "个", 30, 120, ""), ("儿童滑板车", "三轮 可折叠", "台", 80, 200, ""),
         ("拼装积木", "100粒/盒", "盒", 20, 80, "")),
        (_NO_CCC, _TRADEMARK, _UNSAFE),
    ),
    "textile": Category(
        "服装鞋帽", "服饰",
        COMMON_ITEMS + ("fibre", "safety_class", "care", "barcode"),
        (("纯棉T恤", "170/92A", "件", 30, 90, ""), ("牛仔裤", "175/80A", "条", 60, 180, ""),
         ("婴幼儿连体衣", "73cm", "件", 30, 80, ""), ("运动鞋", "42码", "双", 80, 260, ""),
         ("床上四件套", "1.8m床", "套", 120, 400, ""), ("毛巾", "70×140cm", "条", 10, 30, "")),
        (_TRADEMARK, _FAKE, _UNSAFE),
    ),
}
# Packaging and papers seized along with the goods (产品质量法 art. 18(4)).
PACKAGING = (("外包装箱", "", "个"), ("产品标签", "", "张"), ("包装袋", "", "个"),
             ("合格证", "", "张"))

# rapid tests: group -> [(category, product, item)], item -> how it is tested
RAPID_GROUPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "veg": tuple(("蔬菜", p, "农药残留") for p in (
        "菠菜", "韭菜", "芹菜", "油麦菜", "小白菜", "豇豆", "黄瓜", "番茄", "青椒", "生菜", "茼蒿",
        "上海青", "菜心", "茄子")),
    "fruit": tuple(("水果", p, "农药残留") for p in ["草莓", "葡萄", "苹果", "梨", "桃", "橘子", "樱桃"]),
    "meat": tuple(("畜禽肉", p, "瘦肉精") for p in ["猪肉", "猪肝", "牛肉", "羊肉"]),
    "fish": tuple(("水产品", p, "孔雀石绿") for p in ["鲫鱼", "草鱼", "鳊鱼", "鲈鱼", "黄鳝", "鳜鱼"])
    + tuple(("水产品", p, "甲醛") for p in ["鱿鱼", "虾仁", "水发海参", "牛百叶"]),
    "dry": tuple(("干货", p, "二氧化硫") for p in ["银耳", "黄花菜", "枸杞", "生姜", "竹笋干"])
    + tuple(("干货", p, "硼砂") for p in ["腐竹", "粉条", "米粉"]),
    "board": tuple(("人造板", p, "甲醛") for p in ["细木工板", "胶合板", "刨花板", "强化木地板"]),
    "textile": tuple(("纺织品", p, "甲醛") for p in ["婴幼儿内衣", "儿童T恤", "床单", "毛巾"]),
}
# item -> (method, unit, limit, how the result is judged)
RAPID_ITEMS: dict[str, tuple[str, str, str, str]] = {
    "农药残留": ("GB/T 5009.199-2003 酶抑制率法", "%", "50", "inhibition"),
    "瘦肉精": ("胶体金免疫层析法", "", "不得检出", "qualitative"),
    "孔雀石绿": ("胶体金免疫层析法", "", "不得检出", "qualitative"),
    "硼砂": ("姜黄试纸法", "", "不得检出", "qualitative"),
    "二氧化硫": ("比色法(快检)", "g/kg", "0.1", "quantity"),
    "甲醛": ("乙酰丙酮分光光度法(快检)", "mg/kg", "10", "quantity"),
}
# Formaldehyde limits differ by what is tested.
FORMALDEHYDE = {"人造板": ("mg/L", "1.5"), "纺织品": ("mg/kg", "75")}

TEAM = (  # (name, user name, role); inspectors get certificate numbers
    ("张伟", "zhang", "supervisor"), ("李娜", "li", "inspector"), ("王磊", "wang", "inspector"),
    ("赵静", "zhao", "inspector"), ("陈刚", "chen", "inspector"), ("刘洋", "liu", "inspector"),
    ("杨帆", "yang", "inspector"), ("孙浩", "sun", "inspector"), ("黄丽", "huang", "operator"),
    ("周敏", "zhou", "operator"), ("吴婷", "wu", "operator"),
)
CUSTODY = ("本局涉案财物保管室", "当事人仓库(委托当事人保管)", "市场管理处仓库(委托保管)")
EXTENSION_REASONS = ("案情复杂,涉案产品需送检验机构检验,经本局负责人批准延长期限",
                     "涉案产品数量较大,需进一步核实进货来源,经本局负责人批准延长期限")
# (reason, ground of 行政强制法 art. 28 as seizure.rules.RELEASE_GROUNDS numbers them)
RELEASE_REASONS = (("经检验,涉案产品符合相关标准,当事人没有违法行为,依法解除行政强制措施", "1"),
                   ("当事人已提供合法来源证明并完成整改,依法解除行政强制措施", "5"),
                   ("本局已对违法行为作出处理决定,不再需要查封扣押,依法解除", "3"),
                   ("行政强制措施期限届满,依法解除", "4"))
STATEMENTS = ("当事人称该批产品系从外地批发商处购进,对产品存在的问题不知情。",
              "当事人对检查情况无异议,表示愿意配合调查。",
              "当事人称货物刚到,尚未对外销售。",
              "当事人表示进货时未索取相关票据,愿意接受处理。")
COMPLAINTS = (
    ("反映在{stall}摊位购买的{product}缺斤短两", "经公平秤复秤确认短缺,已责令经营者退还差价并赔礼道歉"),
    ("反映{stall}摊位销售的{product}疑似变质", "已现场检查并下架相关产品,告知投诉人处理结果"),
    ("反映{stall}摊位电子秤未贴检定合格标志", "已现场核查,责令经营者停止使用并送检"),
    ("反映{stall}摊位{product}明码标价与结算价格不一致", "已转市场管理处调解,双方达成一致"),
)


# --- small generators -------------------------------------------------------------------


_UUID_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID_SET = (0x8000 << 48) | (4 << 76)


def _uuid(rng: random.Random) -> str:
    """str(uuid.UUID(int=rng.getrandbits(128), version=4)), without making the object."""
    h = f"{rng.getrandbits(128) & _UUID_CLEAR | _UUID_SET:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 11714 characters also valid in GB 32100
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(rng: random.Random) -> str:
    """A 9-character organization code (GB 11714) with a valid check character."""
    if rng.random() < 0.6:  # newer registrations: MA + 6 characters
        body = "MA" + "".join(rng.choice(_ORG_ALPHABET) for _ in range(6))
    else:
        body = f"{rng.randrange(10**8):08d}"
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, _ORG_WEIGHTS))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _credit_code(rng: random.Random, org_type: str) -> str:
    first17 = "9" + org_type + rng.choice(CITY_AREAS) + _org_code(rng)
    return first17 + credit_code_check_char(first17)


def _id_number(rng: random.Random, today: date) -> str:
    birth = date(rng.randint(1958, today.year - 20), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{rng.choice(HOME_AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_char(first17)


def _gtin(rng: random.Random) -> str:
    first12 = f"69{rng.randrange(10**10):010d}"
    return first12 + gtin13_check_digit(first12)


def _profile(name: str) -> str:
    for word, profile in _PROFILE_KEYWORDS:
        if word in name:
            return profile
    return "food"


def _audited(rid: str, at: datetime, device: str, author: str | None) -> dict[str, Any]:
    stored = _ct(at)
    return {"id": rid, "version": 1, "created_at": stored, "created_offset": OFFSET,
            "updated_at": stored, "updated_offset": OFFSET, "device_id": device,
            "author_id": author}


# --- context ----------------------------------------------------------------------------


@dataclass
class _Market:
    id: str
    name: str
    address: str
    profile: str
    instrument: str = ""


@dataclass
class _Stall:
    id: str
    market: _Market
    number: str
    party_id: str | None
    party_name: str
    rep: str  # legal representative / person in charge of the party
    business: str
    categories: tuple[str, ...]
    tests: tuple[str, ...]


@dataclass
class _Officer:
    id: str
    name: str
    cert_no: str
    role: str


@dataclass
class _Ctx:
    rng: random.Random
    rnd: Callable[[], float]  # rng.random
    now: datetime
    today: date  # local
    device: str
    actor_author: str | None  # the actor's inspector, when an actor was given
    use_actor: bool
    writer: _Writer
    markets: list[_Market] = field(default_factory=list)
    stalls: list[_Stall] = field(default_factory=list)
    checkable: list[_Stall] = field(default_factory=list)
    stalls_by_market: dict[str, list[_Stall]] = field(default_factory=dict)
    officers: list[_Officer] = field(default_factory=list)
    operators: list[_Officer] = field(default_factory=list)
    approver: str = ""  # who approves extensions and emergency measures
    contact_phone: str = ""
    abbr: str = "示例"
    pattern: str = settings.DOC_NUMBER_PATTERN.default
    doc_seq: dict[int, int] = field(default_factory=dict)  # last number given, by year
    seq_base: int = 0  # where numbers of a year not in doc_seq go on from
    ledger: bool = False  # the store has seizure_doc_numbers
    day_start: list[datetime] = field(default_factory=list)  # local midnight, as UTC
    _test_stalls: dict[tuple[str, str], list[_Stall]] = field(default_factory=dict)

    def test_stalls(self, market: _Market, group: str) -> list[_Stall]:
        """The market's stalls selling what the rapid-test group tests (or all of them)."""
        key = (market.id, group)
        found = self._test_stalls.get(key)
        if found is None:
            every = self.stalls_by_market.get(market.id, [])
            found = [s for s in every if group in s.tests] or every
            self._test_stalls[key] = found
        return found

    def author(self, inspector_id: str | None) -> str | None:
        return self.actor_author if self.use_actor else inspector_id

    def at(self, day: int, seconds: int) -> datetime:
        """`seconds` after local midnight, `day` days before today, as an aware UTC time."""
        return self.day_start[day] + timedelta(seconds=seconds)

    def local_date(self, day: int) -> date:
        return self.today - timedelta(days=day)

    def doc_number(self, seizure_id: str, moment: datetime) -> str:
        """The decision number of a seizure issued at `moment`, as `numbering` makes it.

        Demo numbers use their own segment, so they never take a number this or another
        device gives out; they go into the ledger of numbers where this schema has one.
        """
        year = moment.astimezone(LOCAL).year
        n = self.doc_seq.get(year, self.seq_base) + 1
        self.doc_seq[year] = n
        fields = {"abbr": self.abbr, "year": year, "seq": f"{DOC_SEGMENT}-{n:04d}",
                  "device": DOC_SEGMENT, "n": f"{n:04d}"}
        try:
            number = self.pattern.format(**fields)
        except (KeyError, IndexError, ValueError):
            number = settings.DOC_NUMBER_PATTERN.default.format(**fields)
        if self.ledger:
            self.writer.rows["seizure_doc_numbers"].append(
                {"number": number, "segment": DOC_SEGMENT, "year": year, "seq": n,
                 "kind": "decision", "seizure_id": seizure_id, "allocated_at": _ct(moment)})
        return number


# --- reference data ---------------------------------------------------------------------


def _setup_numbers(ctx: _Ctx, conn: Connection) -> None:
    """Go on from the demo numbers already given, in the ledger or in the seizures."""
    try:
        from inspector_app.core.seizure.numbering import check_pattern
    except ImportError:  # pragma: no cover - an installation without the seizure workflow
        def check_pattern(pattern: str) -> str:
            return pattern
    try:
        ctx.pattern = check_pattern(ctx.pattern)
    except ValueError:
        ctx.pattern = settings.DOC_NUMBER_PATTERN.default
    ctx.ledger = "seizure_doc_numbers" in Base.metadata.tables
    if ctx.ledger:
        ctx.doc_seq = dict(conn.exec_driver_sql(
            "SELECT year, max(seq) FROM seizure_doc_numbers WHERE segment = ? GROUP BY year",
            (DOC_SEGMENT,)).all())
    else:
        ctx.seq_base = conn.exec_driver_sql("SELECT count(*) FROM seizures").scalar()


def _setup_inspectors(ctx: _Ctx, conn: Connection) -> int:
    rows = conn.exec_driver_sql(
        "SELECT id, name, cert_no, role, username FROM inspectors WHERE active ORDER BY username"
    ).all()
    taken_users = {r[4] for r in rows}
    taken_certs = {r[2] for r in rows if r[2]}
    staff = [_Officer(r[0], r[1], r[2], r[3]) for r in rows]
    added = 0
    if sum(1 for o in staff if o.cert_no) < 2:
        from inspector_app.core.auth import hash_password

        password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow by design
        at = ctx.now - timedelta(days=DAYS + 5)
        cert_seq = 1
        for name, username, role in TEAM:
            if username in taken_users:
                continue
            cert_no = ""
            if role != "operator":
                while f"320102{cert_seq:05d}" in taken_certs:
                    cert_seq += 1
                cert_no = f"320102{cert_seq:05d}"
                taken_certs.add(cert_no)
            rid = _uuid(ctx.rng)
            row = _audited(rid, at, ctx.device, ctx.author(None))
            row.update(name=name, cert_no=cert_no, username=username,
                       password_hash=password_hash, role=role, active=True)
            ctx.writer.add(Inspector, row, at)
            staff.append(_Officer(rid, name, cert_no, role))
            added += 1
    ctx.officers = [o for o in staff if o.cert_no]
    ctx.operators = [o for o in staff if o.role == "operator"] or staff
    chiefs = [o for o in staff if o.role == "supervisor"] or ctx.officers
    ctx.approver = chiefs[0].name
    if len(ctx.officers) < 2:  # pragma: no cover - the team above always adds enough
        raise RuntimeError("demo data needs at least two officers with certificate numbers")
    return added


def _extra_market_names(taken: set[str]) -> Iterator[tuple[str, str]]:
    for round_no in range(1, 10**6):
        for suffix in EXTRA_MARKET_TYPES:
            for district in DISTRICTS:
                name = f"{district}{suffix}" if round_no == 1 else f"{district}{suffix}{round_no}号"
                if name not in taken:
                    yield name, district + "区"


def _setup_markets(ctx: _Ctx, conn: Connection, n_logs: int) -> tuple[int, set[tuple[str, str]]]:
    """Existing markets, plus the base ones on a new store, plus more if the logs need it."""
    rows = conn.exec_driver_sql("SELECT id, name, address FROM markets ORDER BY name, id").all()
    ctx.markets = [_Market(r[0], r[1], r[2], _profile(r[1])) for r in rows]
    taken = {m.name for m in ctx.markets}
    at = ctx.now - timedelta(days=DAYS + 4)
    new: list[tuple[str, str, str]] = []
    if not ctx.markets:
        new.extend(BASE_MARKETS)
    first = ctx.local_date(DAYS).isoformat()
    used = {(r[0], r[1]) for r in conn.exec_driver_sql(
        "SELECT market_id, log_date FROM work_logs WHERE log_date >= ?", (first,))}
    free = (len(ctx.markets) + len(new)) * DAYS - len(used)
    extra = _extra_market_names(taken | {m[0] for m in new})
    while free * SLOT_FILL < n_logs:
        name, district = next(extra)
        road = ctx.rng.choice(ROADS)
        new.append((name, district, f"{district}{road}{ctx.rng.randint(1, 400)}号"))
        free += DAYS
    for name, district, address in new:
        rid = _uuid(ctx.rng)
        row = _audited(rid, at, ctx.device, ctx.author(None))
        row.update(name=name, address=address, district=district)
        ctx.writer.add(Market, row, at)
        ctx.markets.append(_Market(rid, name, address, _profile(name)))
    for m in ctx.markets:
        m.instrument = f"KJ-{ctx.rng.choice('ABCDEFGH')}{ctx.rng.randint(100, 999)}"
    return len(new), used


def _party_row(ctx: _Ctx, business: str, district: str, non_bmp: bool,
               codes: set[str]) -> dict[str, Any]:
    rng = ctx.rng
    trade = SHOP_TRADES.get(business, "百货")
    person = _person(rng)
    roll = rng.random()
    word = rng.choice(NON_BMP_WORDS) if non_bmp else rng.choice(SHOP_WORDS)
    if roll < 0.45:
        kind, licence = "enterprise", "营业执照"
        suffix = rng.choice(("商贸有限公司", "贸易有限公司", "实业有限公司", "经营部"))
        name = f"{word}{trade}{suffix}"
        org_type = "1"
    elif roll < 0.92 or non_bmp:
        kind, licence = "individual", "营业执照(个体工商户)"
        if non_bmp or rng.random() < 0.6:
            name = f"{district}{word}{trade}{rng.choice(SHOP_TYPES)}"
        else:
            name = f"{person[0]}记{trade}{rng.choice(SHOP_TYPES)}"
        org_type = "2"
    else:  # a trader without a licence of their own: the person is the party
        kind, licence, name, org_type = "individual", "", person, ""
    credit = ""
    if org_type:
        credit = _credit_code(rng, org_type)
        while credit in codes:
            credit = _credit_code(rng, org_type)
        codes.add(credit)
    id_number = _id_number(rng, ctx.today)
    while id_number in codes:
        id_number = _id_number(rng, ctx.today)
    codes.add(id_number)
    road = rng.choice(ROADS)
    return {"party_type": kind, "name": name, "credit_code": credit, "licence_name": licence,
            "address": f"{district}{road}{rng.randint(1, 600)}号", "legal_rep": person,
            "id_number": id_number, "phone": _mobile(rng)}


def _setup_stalls(ctx: _Ctx, conn: Connection, records: int) -> tuple[int, int]:
    rng = ctx.rng
    names = {r[0]: (r[1], r[2]) for r in conn.exec_driver_sql(
        "SELECT id, name, legal_rep FROM parties")}
    codes = {c for row in conn.exec_driver_sql("SELECT credit_code, id_number FROM parties")
             for c in row if c}
    by_id = {m.id: m for m in ctx.markets}
    numbers: dict[str, set[str]] = defaultdict(set)
    for sid, market_id, number, party_id, business in conn.exec_driver_sql(
            "SELECT id, market_id, number, party_id, business FROM stalls ORDER BY id"):
        market = by_id.get(market_id)
        if market is None:
            continue
        numbers[market_id].add(number)
        cats, tests = BUSINESSES.get(business, ((), ()))
        if business not in BUSINESSES:  # made elsewhere: assume the market's usual goods
            cats = tuple({c for b in PROFILES[market.profile] for c in BUSINESSES[b][0]})
        ctx.stalls.append(_Stall(sid, market, number, party_id, *names.get(party_id, ("", "")),
                                 business, tuple(sorted(cats)), tests))
    n_parties = max(12, records // 20)
    at = ctx.now - timedelta(days=DAYS + 3)
    base = {b[0] for b in BASE_MARKETS}
    # Every market gets a few stalls; the rest go by weight, the named markets being larger.
    weights = [4 if m.name in base else 1 for m in ctx.markets]
    market_of = [ctx.markets[i % len(ctx.markets)]
                 for i in range(min(n_parties, 3 * len(ctx.markets)))]
    market_of += rng.choices(ctx.markets, weights, k=n_parties - len(market_of))
    n_stalls = 0
    for i, market in enumerate(market_of):
        profile = PROFILES[market.profile]
        business = rng.choices(list(profile), list(profile.values()))[0]
        district = market.address[:3] if market.address[2:3] == "区" else "东城区"
        non_bmp = i == 0 or rng.random() < 0.04
        pid = _uuid(rng)
        prow = _audited(pid, at, ctx.device, ctx.author(None))
        prow.update(_party_row(ctx, business, district, non_bmp, codes))
        ctx.writer.add(Party, prow, at)
        for _ in range(2 if rng.random() < 0.1 else 1):
            zone = rng.choice("ABCDEFGH")
            number = f"{zone}区{rng.randint(1, 300):03d}号"
            while number in numbers[market.id]:
                number = f"{zone}区{rng.randint(1, 999):03d}号"
            numbers[market.id].add(number)
            sid = _uuid(rng)
            srow = _audited(sid, at, ctx.device, ctx.author(None))
            srow.update(market_id=market.id, number=number, party_id=pid, business=business)
            ctx.writer.add(Stall, srow, at)
            cats, tests = BUSINESSES[business]
            ctx.stalls.append(_Stall(sid, market, number, pid, prow["name"], prow["legal_rep"],
                                     business, cats, tests))
            n_stalls += 1
    ctx.checkable = [s for s in ctx.stalls if s.categories]
    for s in ctx.stalls:
        ctx.stalls_by_market.setdefault(s.market.id, []).append(s)
    return n_parties, n_stalls


# --- records ----------------------------------------------------------------------------
#
# These run hundreds of thousands of times: they draw with `rnd()` (random.random) and
# the small helpers below, which are several times faster than rng.choice/randint.


def _pick(rnd: Callable[[], float], seq):
    return seq[int(rnd() * len(seq))]


def _between(rnd: Callable[[], float], lo: int, hi: int) -> int:
    """An integer from lo to hi inclusive."""
    return lo + int(rnd() * (hi - lo + 1))


# What happens after a check: (outcome, measure, weight)
FATES = (("conforming", "", 80), ("nonconforming", "correct", 11),
         ("nonconforming", "sample", 5), ("nonconforming", "seizure", 4))
_CHECK_REMARKS = {
    "": "",
    "correct": "已责令当事人立即改正,相关产品下架整改。",
    "sample": "已现场抽样送检,样品封存并由当事人签字确认。",
    "seizure": "涉嫌存在严重质量问题,现场实施查封扣押。",
}
_FAIL_COUNTS = (1, 1, 1, 2, 2, 3)
# Checklist rows, made once: (key, result) -> the row without its position.
_ITEM_ROWS = {
    (key, result): {"item_key": key, "label": label, "legal_basis": basis, "result": result,
                    "note": fail_note if result == "fail" else ""}
    for key, (label, basis, fail_note) in CHECK_ITEMS.items()
    for result in ("pass", "fail", "na")
}


def _product(ctx: _Ctx, category: Category) -> dict[str, Any]:
    rnd = ctx.rnd
    name, spec, unit, lo, hi, shelf = _pick(rnd, category.products)
    brand = _pick(rnd, BRANDS)
    province, city, district = _pick(rnd, PLACES)
    short = province.removesuffix("省").removesuffix("市")
    cents = _between(rnd, lo * 100, hi * 100)
    if rnd() < 0.7:
        cents -= cents % 10
    return {"product_name": name, "brand": brand, "spec_model": spec, "unit": unit,
            "shelf_life": shelf, "price": _scaled(cents, 2),
            "manufacturer": f"{short}{brand}{category.trade}有限公司",
            "manufacturer_address": (f"{province}{city}{district}{_pick(rnd, PARKS)}"
                                     f"{_pick(rnd, ROADS)}{_between(rnd, 1, 200)}号"),
            "barcode": _gtin(ctx.rng) if rnd() < category.barcode_rate else ""}


@dataclass
class _Check:
    row: dict[str, Any]
    items: list[dict[str, Any]]
    at: datetime
    stall: _Stall
    category: str


def _make_check(ctx: _Ctx, moment: datetime, fate: tuple[str, str]) -> _Check:
    rng, rnd = ctx.rng, ctx.rnd
    stall = _pick(rnd, ctx.checkable or ctx.stalls)
    cat_key = _pick(rnd, stall.categories or tuple(CATEGORIES))
    category = CATEGORIES[cat_key]
    outcome, measure = fate
    inspector = _pick(rnd, ctx.officers)
    row = _product(ctx, category)
    produced = (moment - timedelta(days=_between(rnd, 3, 240))).astimezone(LOCAL).date()
    batch = (f"{produced:%Y-%m-%d}" if cat_key == "food"
             else f"{produced:%Y%m%d}{_pick(rnd, 'ABCDK')}{_between(rnd, 1, 9)}")
    # The common items, then some of the category's own, in checklist order.
    keys = category.items
    n_common = len(COMMON_ITEMS)
    keep = _between(rnd, max(0, 6 - n_common), len(keys) - n_common)
    extra = sorted(rng.sample(range(n_common, len(keys)), keep))
    keys = keys[:n_common] + tuple(keys[i] for i in extra)
    fails = (rng.sample(range(len(keys)), _pick(rnd, _FAIL_COUNTS))
             if outcome == "nonconforming" else ())
    items = []
    for pos, key in enumerate(keys):
        if pos in fails:
            result = "fail"
        elif key in OPTIONAL_ITEMS and rnd() < 0.06:
            result = "na"
        else:
            result = "pass"
        item = _ITEM_ROWS[(key, result)].copy()
        item["position"] = pos + 1
        items.append(item)
    updated = moment + timedelta(seconds=_between(rnd, 300, 1800))
    check_id = _uuid(rng)
    row.update(_audited(check_id, updated, ctx.device, ctx.author(inspector.id)))
    row.update(
        status="draft" if moment > ctx.now - timedelta(days=3) and rnd() < 0.3 else "final",
        checked_at=_ct(moment), market_id=stall.market.id, stall_id=stall.id,
        party_id=stall.party_id, category=category.label, batch_no=batch,
        quantity=str(_between(rnd, 1, 50) if rnd() < 0.5 else _between(rnd, 10, 500)),
        form_id="", form_version=0, outcome=outcome, outcome_override_reason="",
        measure=measure, remarks=_CHECK_REMARKS[measure], seizure_id=None)
    return _Check(row, items, updated, stall, cat_key)


_SEIZURE_ITEM_COUNTS = (1, 1, 2, 2, 3, 3, 4, 5, 6)
_ITEM_REMARKS = ("外包装破损", "已拍照", "部分已开箱")


def _seizure_items(ctx: _Ctx, first: tuple[str, str, str],
                   category: Category) -> list[dict[str, Any]]:
    rnd = ctx.rnd
    n = _pick(rnd, _SEIZURE_ITEM_COUNTS)
    wanted = [first]
    if n > 1:
        others = [p[:3] for p in category.products if p[0] != first[0] or p[1] != first[1]]
        ctx.rng.shuffle(others)
        wanted += others[: n - 1]
    while len(wanted) < n:
        wanted.append(_pick(rnd, PACKAGING))
    items = []
    for pos, (name, spec, unit) in enumerate(wanted, start=1):
        if unit in ("米", "千克") and rnd() < 0.5:
            qty = _scaled(_between(rnd, 10, 5000), 1)
        else:
            qty = str(_between(rnd, 1, 300))
        items.append({"position": pos, "name": name, "spec": spec, "unit": unit,
                      "quantity": qty,
                      "remark": "" if rnd() < 0.8 else _pick(rnd, _ITEM_REMARKS)})
    return items


_PRESENCE_TEXT = {"present": "当事人在场。", "absent": "当事人不在现场,见证人{witness}到场见证。",
                  "refused": "当事人在场,拒绝在笔录上签字,执法人员已注明。"}


def _onsite_record(start: datetime, end: datetime, place: str, officers: tuple[_Officer, ...],
                   party: str, presence: str, witness: str, violation: str,
                   items: list[dict[str, Any]], measure_word: str, statement: str) -> str:
    s, e = start.astimezone(LOCAL), end.astimezone(LOCAL)
    goods = "、".join(f"{i['name']}{i['quantity']}{i['unit']}" for i in items[:3])
    if len(items) > 3:
        goods += f"等{len(items)}种物品"
    o1, o2 = officers
    lines = [
        (f"时间:{s.year}年{s.month}月{s.day}日{s.hour}时{s.minute:02d}分至"
         f"{e.hour}时{e.minute:02d}分。地点:{place}。"),
        (f"执法人员{o1.name}(执法证号{o1.cert_no})、{o2.name}(执法证号{o2.cert_no})"
         f"向当事人{party}出示执法证件,告知实施行政强制措施的理由、依据及依法享有的陈述、"
         "申辩、申请行政复议和提起行政诉讼的权利。"),
        _PRESENCE_TEXT[presence].format(witness=witness),
        f"经查,当事人经营场所存放有{goods},{violation},依法实施{measure_word}。",
    ]
    if statement:
        lines.append(f"当事人陈述申辩:{statement}")
    lines.append("以上笔录经核对无误。")
    return "\n".join(lines)


_SEIZURE_COLUMNS = frozenset(c.key for c in Seizure.__table__.columns)
_TRANSITION_COLUMNS = frozenset(c.key for c in SeizureTransition.__table__.columns)
_TERMS = (30, 30, 30, 20, 15)
_SEAL_PLACES = ("仓库门", "货架", "货物外包装", "冷柜", "摊位柜台")


def _make_seizure(ctx: _Ctx, moment: datetime, check: _Check | None) -> str:
    """A seizure, started at `moment` (from `check`, when given); returns its id."""
    rng, rnd = ctx.rng, ctx.rnd
    seizure_id = _uuid(rng)
    if check is not None:
        stall = check.stall
        category = CATEGORIES[check.category]
        first = (check.row["product_name"], check.row["spec_model"], check.row["unit"])
    else:
        stall = _pick(rnd, ctx.checkable or ctx.stalls)
        category = CATEGORIES[_pick(rnd, stall.categories or tuple(CATEGORIES))]
        first = _pick(rnd, category.products)[:3]
    o1, o2 = rng.sample(ctx.officers, 2)
    violation, basis = _pick(rnd, category.violations)
    measure = "seal" if rnd() < 0.6 else "detain"
    items = _seizure_items(ctx, first, category)
    place = f"{stall.market.name}{stall.number}摊位" + ("及其仓库" if rnd() < 0.3 else "")
    roll = rnd()
    presence = "absent" if roll < 0.08 else "refused" if roll < 0.12 else "present"
    witness = _person(rng) if presence == "absent" else ""
    statement = _pick(rnd, STATEMENTS) if presence != "absent" else ""
    party = stall.party_name or "(未登记经营者)"
    end_of_visit = moment + timedelta(minutes=_between(rnd, 30, 90))
    onsite = _onsite_record(moment, end_of_visit, place, (o1, o2), party, presence, witness,
                            violation.removeprefix("涉嫌"), items,
                            "查封" if measure == "seal" else "扣押", statement)

    # The state follows from the seizure's age: a measure lasts at most 30 days, plus one
    # extension of at most 30; a few old ones are left overdue for the deadline warnings.
    latest = ctx.now - timedelta(minutes=5)
    term = _pick(rnd, _TERMS)
    issued_at: datetime | None = None
    number = ""
    transitions: list[dict[str, Any]] = []
    extension = 0
    last = end_of_visit

    def move(frm: str, to: str, at: datetime, reason: str = "", approver: str = "",
             ground: str = "") -> None:
        row = {"position": len(transitions) + 1, "from_state": frm, "to_state": to,
               "at": _ct(at), "inspector_id": o1.id, "reason": reason}
        if "approver" in _TRANSITION_COLUMNS:  # the seizure workflow's columns (0004)
            row["approver"] = approver or None
        if "ground" in _TRANSITION_COLUMNS:
            row["ground"] = ground or None
        transitions.append(row)

    if rnd() >= (0.3 if latest - moment < timedelta(days=2) else 0.005):  # not a draft
        issued_at = moment + timedelta(minutes=_between(rnd, 20, 60))
        number = ctx.doc_number(seizure_id, issued_at)
        move("draft", "issued", issued_at)
        last = max(last, issued_at)
        deadline = issued_at + timedelta(days=term)
        roll = rnd()
        if latest < deadline:  # still running
            target = "issued" if roll < 0.6 else "released" if roll < 0.85 else "extended"
        elif latest < deadline + timedelta(days=30):  # may be in its extension
            target = "extended" if roll < 0.45 else "released" if roll < 0.995 else "issued"
        else:  # long over: released, but for a few overdue ones
            target = "released" if roll < 0.99 else "issued" if roll < 0.995 else "extended"
        if target == "extended" or (target == "released" and rnd() < 0.15):
            ext_at = deadline - timedelta(minutes=_between(rnd, 1440, 6000))
            if last < ext_at < latest:
                extension = 30 if latest >= deadline else _pick(rnd, (15, 30, 30))
                move("issued", "extended", ext_at, _pick(rnd, EXTENSION_REASONS), ctx.approver)
                last = ext_at
                deadline += timedelta(days=extension)
        if target == "released":
            start, end = last + timedelta(hours=2), min(deadline, latest)
            if start < end:
                at = start + timedelta(seconds=int(rnd() * (end - start).total_seconds()))
                reason, ground = (RELEASE_REASONS[-1] if at >= deadline - timedelta(hours=12)
                                  else _pick(rnd, RELEASE_REASONS[:-1]))
                move(transitions[-1]["to_state"], "released", at, reason, ground=ground)
                last = at
    state = transitions[-1]["to_state"] if transitions else "draft"
    updated = min(last + timedelta(minutes=_between(rnd, 1, 30)), latest)
    n_seals = _pick(rnd, (1, 1, 2)) if measure == "seal" else _pick(rnd, (0, 1))
    year = moment.astimezone(LOCAL).year
    seals = [{"position": i, "number": f"{ctx.abbr}封〔{year}〕{int(rnd() * 100000):05d}-{i}",
              "location": _pick(rnd, _SEAL_PLACES)}
             for i in range(1, n_seals + 1)]
    officers = [{"position": i, "inspector_id": o.id, "name": o.name, "cert_no": o.cert_no}
                for i, o in enumerate((o1, o2), start=1)]
    custody = _pick(rnd, CUSTODY)
    if "当事人" in custody:
        custodian = stall.rep or party
    elif "市场" in custody:
        custodian = _person(rng)
    else:
        custodian = _pick(rnd, ctx.officers).name
    emergency = rnd() < 0.03
    row = _audited(seizure_id, updated, ctx.device, ctx.author(o1.id))
    row.update(
        state=state, number=number, measure=measure, market_id=stall.market.id,
        party_id=stall.party_id, place=place, suspected_violation=violation, legal_basis=basis,
        started_at=_ct(moment), issued_at=_ct(issued_at) if issued_at else None,
        term_days=term, extension_days=extension, custody_place=custody, custodian=custodian,
        onsite_record=onsite, party_presence=presence, witness_name=witness,
        emergency=emergency, source_check_id=check.row["id"] if check is not None else None)
    # Fields of the seizure workflow (migration 0004), where this schema has them.
    optional = {
        "record_ended_at": _ct(end_of_visit),
        "party_notified": presence != "absent" or rnd() < 0.5,
        "party_statement": statement or None,
        "contact_phone": ctx.contact_phone,
        "emergency_reported_at": (_ct(moment + timedelta(minutes=_between(rnd, 60, 1200)))
                                  if emergency else None),
        "emergency_approver": ctx.approver if emergency else None,
    }
    row.update((k, v) for k, v in optional.items() if k in _SEIZURE_COLUMNS)
    ctx.writer.add(Seizure, row, updated, {"officers": officers, "items": items,
                                            "seals": seals, "transitions": transitions})
    return seizure_id


# rapid-test choices, made once: group -> [(category, product, item, method, unit, limit, how)]
_RAPID: dict[str, tuple[tuple[str, str, str, str, str, str, str], ...]] = {}
for _group, _choices in RAPID_GROUPS.items():
    _rows = []
    for _category, _product_name, _item in _choices:
        _method, _unit, _limit, _how = RAPID_ITEMS[_item]
        if _item == "甲醛" and _category in FORMALDEHYDE:
            _unit, _limit = FORMALDEHYDE[_category]
        _rows.append((_category, _product_name, _item, _method, _unit, _limit, _how))
    _RAPID[_group] = tuple(_rows)
# limits of measured items, in thousandths
_MILLI = {limit: int(Decimal(limit) * 1000) for _m, _u, limit, how in RAPID_ITEMS.values()
          if how == "quantity"} | {limit: int(Decimal(limit) * 1000)
                                   for _u, limit in FORMALDEHYDE.values()}


def _rapid_test(ctx: _Ctx, pos: int, day_text: str, month_text: str, market: _Market,
                group: str, tested_at: datetime, tester: str) -> dict[str, Any]:
    rnd = ctx.rnd
    category, product, item, method, unit, limit, how = _pick(rnd, _RAPID[group])
    value: str | None = None
    if how == "inhibition":  # GB/T 5009.199: an inhibition rate of 50 % or more is positive
        roll = rnd()
        tenths = (_between(rnd, 0, 400) if roll < 0.9 else _between(rnd, 400, 499)
                  if roll < 0.95 else _between(rnd, 500, 950))
        value = _scaled(tenths, 1)
        positive = tenths >= 500
    elif how == "qualitative":
        positive = rnd() < 0.01
    else:  # a measured amount (in thousandths) against its limit
        cap = _MILLI[limit]
        percent = _between(rnd, 105, 300) if rnd() < 0.02 else _between(rnd, 0, 80)
        amount = cap * percent // 100
        value = _scaled(amount, 3)
        positive = amount > cap
    stalls = ctx.test_stalls(market, group)
    return {"position": pos, "sample_no": f"KJ{day_text}{pos:02d}", "category": category,
            "product_name": product, "stall_no": _pick(rnd, stalls).number if stalls else "",
            "test_item": item, "method": method, "value": value, "unit": unit,
            "limit_value": limit, "conclusion": "positive" if positive else "negative",
            "tester": tester, "tested_at": _ct(tested_at), "instrument_no": market.instrument,
            "reagent_batch": f"{month_text}{_between(rnd, 1, 9):02d}"}


_SCALE_MODELS = ("ACS-15", "ACS-30", "TCS-60")


def _scale_check(ctx: _Ctx, pos: int, log_day: date, market: _Market) -> dict[str, Any]:
    rnd = ctx.rnd
    stalls = ctx.stalls_by_market.get(market.id)
    row = {"position": pos, "stall_no": _pick(rnd, stalls).number if stalls else ""}
    if rnd() < 0.55:  # 公平秤: the buyer's goods weighed again
        grams = _between(rnd, 200, 10000)
        short = 0 if rnd() < 0.85 else min(_between(rnd, 20, 400), grams - 50)
        row.update(kind="reweigh", instrument_name="公平秤", model="TCS-150", serial_no="",
                   cert_no="", verified_on="", valid_until="",
                   claimed_weight=_scaled(grams, 3), actual_weight=_scaled(grams - short, 3),
                   result="pass" if short <= 10 else "fail")
    else:
        verified = log_day - timedelta(days=_between(rnd, 10, 420))
        valid_until = verified + timedelta(days=364)
        if valid_until < log_day:
            result = "overdue"
        else:
            result = "pass" if rnd() < 0.95 else "fail"
        row.update(kind="verification", instrument_name="电子计价秤",
                   model=_pick(rnd, _SCALE_MODELS), serial_no=f"{int(rnd() * 10**9):09d}",
                   cert_no=f"JDZ{verified.year}{int(rnd() * 10**6):06d}",
                   verified_on=verified.isoformat(), valid_until=valid_until.isoformat(),
                   claimed_weight=None, actual_weight=None, result=result)
    return row


_SCALE_COUNTS = (0, 1, 1, 2, 2, 3, 4)


def _make_worklog(ctx: _Ctx, market: _Market, day: int) -> None:
    rng, rnd = ctx.rng, ctx.rnd
    log_day = ctx.local_date(day)
    day_text, month_text = f"{log_day:%Y%m%d}", f"{log_day:%Y%m}"
    worklog_id = _uuid(rng)
    operator = _pick(rnd, ctx.operators)
    opened = ctx.at(day, _between(rnd, 7 * 3600, 8 * 3600 + 1800))
    closed = ctx.at(day, _between(rnd, 17 * 3600, 18 * 3600 + 1800))
    status = "open" if day <= 1 and rnd() < 0.3 else "closed"
    groups = PROFILE_TESTS[market.profile]
    span = int((closed - opened).total_seconds()) - 600
    offsets = sorted(int(rnd() * span) for _ in range(_between(rnd, 3, 10)))
    times = [opened + timedelta(seconds=300 + s) for s in offsets]
    tests = [_rapid_test(ctx, pos, day_text, month_text, market, _pick(rnd, groups), at,
                         operator.name)
             for pos, at in enumerate(times, start=1)]
    scales = [_scale_check(ctx, pos, log_day, market)
              for pos in range(1, _pick(rnd, _SCALE_COUNTS) + 1)]
    complaints = []
    if rnd() < 0.08:
        stalls = ctx.stalls_by_market.get(market.id)
        stall_no = _pick(rnd, stalls).number if stalls else ""
        what, follow = _pick(rnd, COMPLAINTS)
        closed_case = status == "closed" and rnd() < 0.9
        complaints.append({
            "position": 1, "received_at": _ct(opened + timedelta(seconds=int(rnd() * span))),
            "complainant": _person(rng), "phone": _mobile(rng), "stall_no": stall_no,
            "content": what.format(stall=stall_no or "某", product=tests[0]["product_name"]),
            "status": "closed" if closed_case else "open",
            "follow_up": follow if closed_case else ""})
    positives = sum(1 for t in tests if t["conclusion"] == "positive")
    reweighs = sum(1 for s in scales if s["kind"] == "reweigh")
    summary = (f"今日快速检测{len(tests)}批次,阳性{positives}批次"
               + (",阳性样品已下架并送实验室复检" if positives else "")
               + f";计量器具检查{len(scales) - reweighs}台次,公平秤复秤{reweighs}次"
               + f";受理投诉举报{len(complaints)}件。")
    if status == "open":
        updated, closed_at = times[-1] + timedelta(minutes=2), None
    else:
        updated, closed_at = closed, _ct(closed)
    row = _audited(worklog_id, updated, ctx.device, ctx.author(operator.id))
    row.update(status=status, market_id=market.id, log_date=log_day.isoformat(),
               operator_name=operator.name, opened_at=_ct(opened), closed_at=closed_at,
               summary=summary)
    ctx.writer.add(WorkLog, row, updated,
                   {"tests": tests, "scale_checks": scales, "complaints": complaints})


def _times(ctx: _Ctx, n: int, first_hour: float, last_hour: float) -> list[datetime]:
    """`n` sorted working-hour moments on the days before today."""
    rnd = ctx.rnd
    lo, hi = int(first_hour * 3600), int(last_hour * 3600)
    return sorted(ctx.at(_between(rnd, 1, DAYS), _between(rnd, lo, hi)) for _ in range(n))


# --- building ---------------------------------------------------------------------------


class _Timer:
    """Wall and CPU seconds per phase: `lap(name)` books the time since the last lap."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[name] += wall - self._wall
        self.cpu[name] += cpu - self._cpu
        self._wall, self._cpu = wall, cpu

    def report(self) -> dict[str, float]:
        out = dict(self.wall)
        out["total"] = sum(self.wall.values())
        out.update({f"cpu:{k}": v for k, v in self.cpu.items()})
        out["cpu:total"] = sum(self.cpu.values())
        return out


@dataclass
class _Plan:
    """When each record happens, drawn before the records themselves."""

    fates: list[tuple[str, str]]
    check_times: list[datetime]
    seizure_times: list[datetime]
    slots: list[tuple[int, int]]  # (market index, day) of each log


def _plan(ctx: _Ctx, records: int, used_slots: set[tuple[str, str]]) -> _Plan:
    """Checks and seizures in working hours, one log per market and day; some
    non-conforming checks lead to a seizure on the spot."""
    rng = ctx.rng
    fates = rng.choices([f[:2] for f in FATES], [f[2] for f in FATES], k=records)
    n_linked = sum(1 for f in fates if f[1] == "seizure")
    check_times = _times(ctx, records, 8.5, 17.5)
    seizure_times = _times(ctx, records - n_linked, 9, 17)
    free = [(m, d) for d in range(DAYS, 0, -1) for m in range(len(ctx.markets))
            if (ctx.markets[m].id, ctx.local_date(d).isoformat()) not in used_slots]
    slots = sorted(rng.sample(free, records), key=lambda s: (-s[1], s[0]))
    return _Plan(fates, check_times, seizure_times, slots)


def _build(ctx: _Ctx, plan: _Plan, chunk_done: Callable[[dict[str, int]], None]
           ) -> dict[str, int]:
    """Make the planned records in time order, flushing every CHUNK of them."""
    writer = ctx.writer
    made = {"check": 0, "seizure": 0, "worklog": 0}
    streams = (
        ((at, 0, i) for i, at in enumerate(plan.check_times)),
        ((at, 1, i) for i, at in enumerate(plan.seizure_times)),
        ((ctx.at(d, 7 * 3600), 2, i) for i, (_m, d) in enumerate(plan.slots)),
    )
    pending = 0
    for moment, stream, i in heapq.merge(*streams):
        if stream == 0:
            fate = plan.fates[i]
            check = _make_check(ctx, moment, fate)
            if fate[1] == "seizure":
                started = moment + timedelta(minutes=_between(ctx.rnd, 5, 40))
                check.row["seizure_id"] = _make_seizure(ctx, started, check)
                made["seizure"] += 1
            writer.add(LabelCheck, check.row, check.at, {"items": check.items})
            made["check"] += 1
        elif stream == 1:
            _make_seizure(ctx, moment, None)
            made["seizure"] += 1
        else:
            m, d = plan.slots[i]
            _make_worklog(ctx, ctx.markets[m], d)
            made["worklog"] += 1
        pending += 1
        if pending >= CHUNK:
            writer.flush()
            chunk_done(made)
            pending = 0
    writer.flush()
    chunk_done(made)
    return made


# --- the worker process -----------------------------------------------------------------
#
# With two or more CPUs, a large run makes its records in a worker process while this one
# writes them: the worker (`python -c ... _worker_main()`, so no module of the caller is
# imported again) reads the context (markets, stalls, officers...), the plan, the random
# generator's state and the tail of the audit chain from its stdin (a pickle), and writes
# batches of parameter tuples to its stdout, each length-prefixed and marshalled (several
# times faster than pickle for tuples of plain values). It draws exactly what the
# in-process run would draw, so the data is the same either way.

_CTX_STATE = ("now", "today", "device", "actor_author", "use_actor", "markets", "stalls",
              "checkable", "stalls_by_market", "officers", "operators", "approver",
              "contact_phone", "abbr", "pattern", "doc_seq", "seq_base", "ledger", "day_start")
_LENGTH = struct.Struct("<Q")


def _frame(data: bytes) -> bytes:
    return _LENGTH.pack(len(data)) + data


def _unframe(stream) -> bytes:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _worker_main() -> None:  # pragma: no cover - runs in the worker process
    """The worker process: build the records and write them to stdout."""
    import queue as queues
    import threading

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the messages
    outbox: queues.Queue = queues.Queue(maxsize=4)

    def pump() -> None:  # writes while the main thread goes on building
        while (data := outbox.get()) is not None:
            out.write(data)
        out.flush()

    pumper = threading.Thread(target=pump, daemon=True)
    pumper.start()

    def post(message: Any) -> None:
        outbox.put(_frame(marshal.dumps(message)))

    made: dict[str, int] = {}
    try:
        state = pickle.loads(_unframe(sys.stdin.buffer))
        rng = random.Random()
        rng.setstate(state["rng"])
        timer = _Timer()
        writer = _Writer(audit.Chain(*state["chain"]), timer,
                         lambda batch: post(("rows", batch, dict(made))))
        ctx = _Ctx(rng=rng, rnd=rng.random, writer=writer, **state["ctx"])
        made = _build(ctx, state["plan"], made.update)
        post(("done", {"counts": dict(writer.counts), "timings": timer.report()}, made))
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent
        import traceback

        post(("error", traceback.format_exc(), made))
    outbox.put(None)
    pumper.join()


def _use_worker(records: int) -> bool:
    if WORKER is not None:
        return WORKER
    return (records >= WORKER_MIN_RECORDS and (os.cpu_count() or 1) > 1
            and not getattr(sys, "frozen", False))  # a frozen app cannot run `-c`


class _WorkerFailed(RuntimeError):
    def __init__(self, message: str, started: bool):
        super().__init__(message)
        self.started = started  # whether it had sent rows already


def _build_in_worker(ctx: _Ctx, plan: _Plan, sink: _DbSink, timer: _Timer,
                     progress: Callable[[int, int], None] | None, total: int
                     ) -> tuple[dict[str, int], dict[str, Any]]:
    import subprocess

    state = {"rng": ctx.rng.getstate(), "chain": (ctx.writer.chain.seq, ctx.writer.chain.head),
             "plan": plan, "ctx": {name: getattr(ctx, name) for name in _CTX_STATE}}
    # The same code as ours, wherever this package was imported from.
    root = str(Path(__file__).resolve().parents[2])
    code = (f"import sys; sys.path.insert(0, {root!r}); "
            "from inspector_app.core import demo; demo._worker_main()")
    worker = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    started = finished = False
    try:
        assert worker.stdin is not None and worker.stdout is not None
        try:
            worker.stdin.write(_frame(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)))
            worker.stdin.close()
        except OSError as exc:
            raise _WorkerFailed(f"the demo data worker did not start: {exc}", False) from exc
        timer.lap("worker start")
        while True:
            try:
                message, payload, made = marshal.loads(_unframe(worker.stdout))
            except EOFError:
                raise _WorkerFailed("the demo data worker process stopped unexpectedly",
                                    started) from None
            timer.lap("wait")
            if message == "rows":
                started = True
                sink(payload)
                if progress:
                    progress(sum(made.values()), total)
            elif message == "done":
                finished = True
                return made, payload
            else:
                raise _WorkerFailed(f"the demo data worker process failed:\n{payload}",
                                    started)
    finally:
        if not finished:
            worker.kill()
        worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()


def _truncate_wal(store: Store) -> None:
    """Give back the disk space of the write-ahead log, which grew to the size of the data.

    The commit has checkpointed it already; this only truncates the file, and is skipped
    when a reader still needs it.
    """
    import sqlite3

    try:
        con = sqlite3.connect(store.db_path, timeout=0.5, isolation_level=None)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    except sqlite3.Error as exc:  # pragma: no cover - busy: the log is reused instead
        log.info("the write-ahead log was not truncated: %s", exc)


# --- the entry point --------------------------------------------------------------------

#: Most SQLite page cache (KiB) to use while writing; within it, enough for the whole new
#: data, so that pages are not spilled to the log and read back again and again as the
#: indexes grow. The store's own setting is restored after.
CACHE_KIB = 4 << 20


def _cache_kib(records: int) -> int:
    wanted = (64 << 10) + 32 * records  # about 25 KiB of database per record and kind
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        physical = 16 << 20
    return min(wanted, CACHE_KIB, physical // 4)

#: Whether to build records in a worker process: None decides by size and machine.
WORKER: bool | None = None
WORKER_MIN_RECORDS = 20000


def generate(store: Store, records: int, actor: Actor | None = None, seed: int = 1,
             progress: Callable[[int, int], None] | None = None, *,
             now: datetime | None = None) -> dict[str, int]:
    """Add demo reference data and `records` records of each kind to `store`.

    Existing markets and inspectors are reused (the demo team, password `DEMO_PASSWORD`, is
    added only when fewer than two officers with certificate numbers exist); parties and
    stalls are added. With `actor`, every row is made by that actor; without, by this
    device, each record authored by its inspector. `progress(done, total)` is called
    between batches. `now` (default: the current time) ends the two years the records
    span; with the same seed and `now` the data is the same. Returns how many rows of each
    kind were added.
    """
    if records < 0:
        raise ValueError("records must not be negative")
    timer = _Timer()
    now = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(seed)
    total = 3 * records
    counts: dict[str, int] = {}
    with store.write() as session:
        conn = session.connection()
        old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = {-_cache_kib(records)}")
        sink = _DbSink(conn, timer)
        try:
            device = actor.device_id if actor else settings.device_id(session)
            writer = _Writer(audit.Chain(*audit.last_entry(session)), timer, sink)
            today = now.astimezone(LOCAL).date()
            ctx = _Ctx(rng=rng, rnd=rng.random, now=now, today=today, device=device,
                       actor_author=actor.inspector_id if actor else None,
                       use_actor=actor is not None, writer=writer)
            ctx.abbr = settings.AGENCY_ABBR.get(session) or ctx.abbr
            ctx.pattern = settings.DOC_NUMBER_PATTERN.get(session)
            ctx.contact_phone = f"025-{rng.randint(52000000, 86999999)}"
            _setup_numbers(ctx, conn)
            ctx.day_start = [
                datetime.combine(today - timedelta(days=d), dtime(0), LOCAL).astimezone(UTC)
                for d in range(DAYS + 2)]
            existing = {kind: conn.exec_driver_sql(
                f"SELECT count(*) FROM {model.__tablename__}").scalar()
                for kind, model in RECORD_KINDS.items()}

            counts["inspector"] = _setup_inspectors(ctx, conn)
            counts["market"], used_slots = _setup_markets(ctx, conn, records)
            counts["party"], counts["stall"] = _setup_stalls(ctx, conn, records)
            timer.lap("reference")
            writer.flush()

            sink.search = True  # the records, as they come
            plan = _plan(ctx, records, used_slots)
            # Rebuilding the indexes pays off when the new rows outnumber the old ones.
            indexes: list[str] = []
            if DEFER_INDEXES and records >= 1000 and 3 * records >= sum(existing.values()):
                indexes = _drop_indexes(conn)
            timer.lap("plan")

            result = None
            if _use_worker(records):
                try:
                    made, result = _build_in_worker(ctx, plan, sink, timer, progress, total)
                except _WorkerFailed as exc:
                    if exc.started:
                        raise
                    # Nothing was written, and our generator has not moved: build here.
                    log.warning("building the demo data in this process: %s", exc)
            if result is not None:
                table_counts = result["counts"]
                worker_timings = result["timings"]
            else:
                def chunk_done(made: dict[str, int]) -> None:
                    if progress:
                        progress(sum(made.values()), total)

                made = _build(ctx, plan, chunk_done)
                table_counts, worker_timings = writer.counts, {}
            for sql in indexes:
                conn.exec_driver_sql(sql)
            timer.lap("indexes")

        finally:
            sink.close()
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(old_cache)}")
    timer.lap("commit")
    _truncate_wal(store)
    timer.lap("checkpoint")
    LAST_TIMINGS.clear()
    LAST_TIMINGS.update(timer.report())
    LAST_TIMINGS.update({f"worker:{k}": v for k, v in worker_timings.items()})
    log.info("demo data: %s in %s", made,
             {k: round(v, 2) for k, v in LAST_TIMINGS.items() if ":" not in k})
    counts.update(made)
    for name, table in (("check_item", "check_items"), ("seizure_item", "seizure_items"),
                        ("seal", "seals"), ("rapid_test", "rapid_tests"),
                        ("scale_check", "scale_checks"), ("complaint", "complaints")):
        counts[name] = table_counts.get(table, 0)
    if progress:
        progress(total, total)
    return counts


# --- printable examples -------------------------------------------------------------------


def printable_seizures(store: Store, issued: int = 2, drafts: int = 1) -> list[str]:
    """A few seizures made through the real workflow, so a demo store has notices to print
    and verify (the bulk demo seizures carry no document hashes). Sets this demo device's
    number segment and the agency's notice details when they are still empty."""
    from sqlalchemy import select

    from inspector_app.core.models import Inspector, Market, Party
    from inspector_app.core.seizure import numbering, service

    made: list[str] = []
    with store.write() as session:
        officers = session.scalars(select(Inspector).where(
            Inspector.cert_no != "", Inspector.active).order_by(Inspector.username)).all()
        party = session.scalars(select(Party).where(Party.name.like("%𠮷%"))).first() or \
            session.scalars(select(Party)).first()
        market = session.scalars(select(Market).order_by(Market.name)).first()
        if len(officers) < 2 or party is None:
            return made
        actor = Actor(settings.device_id(session), officers[0].id)
        if not numbering.DEVICE_SEGMENT.get(session):
            numbering.set_segment(session, "01")
        for option, value in ((service.RECONSIDERATION_ORGAN, "示例市人民政府"),
                              (service.COURT, "示例市人民法院"),
                              (service.CONTACT_PHONE, "0591-87654321")):
            if not option.get(session):
                option.set(session, value)
        place = f"{market.name if market else ''}{party.name}经营场所"
        for n in range(issued + drafts):
            data = service.DraftInput(
                officer_ids=[officers[0].id, officers[1].id], party_id=party.id,
                market_id=market.id if market else None, place=place,
                suspected_violation=service.DEFAULT_VIOLATIONS[0],
                legal_basis=service.DEFAULT_LEGAL_BASES[0],
                custody_place="市场监管局涉案物品仓库", custodian="王五",
                onsite_record="执法人员出示执法证件，告知当事人检查事由。现场发现电热水壶"
                              "未加施CCC认证标志，当事人未能提供3C认证证书。",
                items=[service.ItemInput(f"电热水壶（{m + 1}号批次）", Decimal(m + 2), "台",
                                         "1.7L", "无3C标志") for m in range(3)],
                seals=[service.SealInput(f"FT-{n + 1:03d}1", "仓库门")])
            seizure = service.create_draft(session, actor, data)
            if n < issued:
                service.issue(store, session, actor, seizure.id)
            made.append(seizure.id)
    return made
