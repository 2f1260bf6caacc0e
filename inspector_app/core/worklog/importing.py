"""Tests pasted from a spreadsheet, or imported from a rapid-test instrument's CSV export.

Both read rows of text cells, check each row with `entry.check_row` (the same rules as the
entry table), and return an `ImportResult`: the good rows, and every bad row with the
reason for each bad cell. Nothing is written until the caller chooses with `commit`:
import the good rows, or none. The good rows go into the log as one version.

A CSV file is read through a `CsvMapping`: which column of the file holds which field,
the encoding, the delimiter, the header line, defaults for every row. Mappings are kept in
the settings, can be edited, and read from / written to JSON. The format is documented in
docs/worklog-csv.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from inspector_app.core import records, settings
from inspector_app.core.i18n import N_, _
from inspector_app.core.worklog import entry, items, service
from inspector_app.core.worklog.entry import FIELD_KEYS, EntryContext, TestInput
from inspector_app.core.worklog.items import WorklogError

GOOD, NONE = "good", "none"  # the caller's choice when some rows are bad
ROW = "row"  # the error key of a problem of the whole row, not of one cell
MAX_ROWS = 20_000


@dataclass
class BadRow:
    line: int  # 1-based line (or row) of the source
    cells: dict[str, str]
    errors: dict[str, str]  # field -> reason
    raw: str = ""

    def reason(self) -> str:
        return "; ".join(
            f"{_(entry.FIELDS_BY_KEY[k].label)}: {v}" if k in entry.FIELDS_BY_KEY else v
            for k, v in self.errors.items())


@dataclass
class ImportResult:
    good: list[TestInput] = field(default_factory=list)
    good_lines: list[int] = field(default_factory=list)
    good_cells: list[dict[str, str]] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why), not errors
    columns: list[str] = field(default_factory=list)  # fields read, in the source's order

    @property
    def total(self) -> int:
        return len(self.good) + len(self.bad)

    def summary(self) -> str:
        text = _("{good} good rows, {bad} bad rows.").format(good=len(self.good),
                                                            bad=len(self.bad))
        if self.skipped:
            text += " " + _("{n} rows left out (empty, or of another day).").format(
                n=len(self.skipped))
        return text


class MappingError(WorklogError):
    """The file does not fit the mapping at all (no row can be read)."""


# --- checking rows ---------------------------------------------------------------------------


def check_rows(rows: Iterable[tuple[int, dict[str, str], str]], ctx: EntryContext,
               instrument_conclusions: dict[int, str] | None = None) -> ImportResult:
    """Check (line, cells, raw text) rows; a re-test must name a good row or a stored test."""
    result = ImportResult()
    taken: list[str] = []
    for line, cells, raw in rows:
        if len(result.good) + len(result.bad) >= MAX_ROWS:
            raise MappingError(_("More than {n} rows: split the file.").format(n=MAX_ROWS))
        check = entry.check_row(cells, ctx, taken)
        errors = dict(check.errors)
        said = (instrument_conclusions or {}).get(line)
        if not errors and said:
            word = items.read_word(said)
            if word is None:
                errors["value"] = _("The instrument's conclusion “{said}” is not understood.") \
                    .format(said=said)
            elif word != check.conclusion:
                errors["value"] = _(
                    "The instrument reports {said}, but the value gives {computed}: check the "
                    "value and the column mapping.").format(
                    said=said, computed=entry.format_reading(check.conclusion or ""))
        if errors:
            result.bad.append(BadRow(line, check.cells, errors, raw))
            continue
        assert check.test is not None
        test = check.test
        if not test.sample_no:
            test.sample_no = ctx.new_sample_no(taken)
            check.cells["sample_no"] = test.sample_no
        taken.append(test.sample_no)
        result.good.append(test)
        result.good_lines.append(line)
        result.good_cells.append(check.cells)
    return result


def commit(session: Session, actor: records.Actor, log_id: str, result: ImportResult,
           choice: str, expected_version: int | None = None,
           now: datetime | None = None) -> int:
    """Store the good rows (choice GOOD) or nothing (choice NONE); returns how many were
    added. With no bad rows, GOOD imports them all. One version for all of them."""
    if choice not in (GOOD, NONE):
        raise ValueError(choice)
    if choice == NONE or not result.good:
        return 0
    return len(service.add_tests(session, actor, log_id, result.good, expected_version,
                                 now=now))


# --- paste from a spreadsheet ----------------------------------------------------------------


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for f in entry.TEST_FIELDS:
        for name in (f.key, f.label, _(f.label), f.printed):
            if name:
                names[_norm(name)] = f.key
    return names


def _norm(text: str) -> str:
    return re.sub(r"[\s()（）%％]", "", entry.fold(text)).lower()


def split_paste(text: str) -> list[list[str]]:
    """Tab-separated lines as a spreadsheet copies them (quoted cells with newlines too)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removesuffix("\n")
    if not text.strip():
        return []
    if '"' in text:
        return [row for row in csv.reader(io.StringIO(text), delimiter="\t")]
    return [line.split("\t") for line in text.split("\n")]


def parse_paste(text: str, columns: Sequence[str], ctx: EntryContext) -> ImportResult:
    """Rows pasted into the entry table: cell n of a line goes to `columns[n]` (the table's
    columns from the one pasted into), unless the first line is a header naming the fields,
    which then decides. Empty lines are left out."""
    lines = split_paste(text)
    result_columns = list(columns)
    start = 0
    if lines:
        names = _header_names()
        header = [names.get(_norm(c)) for c in lines[0]]
        if sum(1 for h in header if h) >= max(2, (len(header) + 1) // 2):
            result_columns = [h or "" for h in header]
            start = 1
    rows = []
    skipped = []
    for n, cells in enumerate(lines[start:], start=start + 1):
        if not any(c.strip() for c in cells):
            skipped.append((n, _("empty")))
            continue
        row: dict[str, str] = {}
        extra = []
        for i, value in enumerate(cells):
            if i < len(result_columns) and result_columns[i]:
                row[result_columns[i]] = value
            elif value.strip():
                extra.append(value)
        raw = "\t".join(cells)
        if extra:
            rows.append((n, row, raw, _("More cells than columns: {cells}").format(
                cells=" | ".join(extra))))
        else:
            rows.append((n, row, raw, None))
    result = check_rows(((n, row, raw) for n, row, raw, _x in rows), ctx)
    too_many = {n: why for n, _r, _raw, why in rows if why}
    if too_many:  # surplus cells make their row bad
        for bad in result.bad:
            if bad.line in too_many:
                bad.errors[ROW] = too_many[bad.line]
        keep = []
        for test, line, cells in zip(result.good, result.good_lines, result.good_cells,
                                     strict=True):
            if line in too_many:
                result.bad.append(BadRow(line, cells, {ROW: too_many[line]}))
            else:
                keep.append((test, line, cells))
        result.good = [t for t, _l, _c in keep]
        result.good_lines = [line for _t, line, _c in keep]
        result.good_cells = [c for _t, _l, c in keep]
        result.bad.sort(key=lambda b: b.line)
    result.skipped = skipped
    result.columns = [c for c in result_columns if c]
    return result


# --- CSV files of rapid-test instruments ------------------------------------------------------

MAPPINGS = settings.Option("worklog_csv_mappings", [], list,
                           N_("Column mappings for importing rapid-test instrument CSV files"))
CONCLUSION_FIELD = "instrument_conclusion"  # the instrument's own verdict: compared, not stored
DATE_FIELD = "test_date"  # a separate date column, joined with tested_at


@dataclass
class CsvMapping:
    """How to read one instrument's CSV export (see docs/worklog-csv.md)."""

    name: str
    columns: dict[str, str]  # field -> header text ("A|B" alternatives) or "#n" (1-based)
    encoding: str = "auto"  # auto (UTF-8, else GB18030), utf-8, gb18030 ...
    delimiter: str = "auto"  # auto, ",", ";", "\t"
    header_row: int = 1  # line of the header; 0 = none (then every column is "#n")
    defaults: dict[str, str] = field(default_factory=dict)  # field -> value when empty
    only_log_date: bool = True  # rows of another day are left out, not errors

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CsvMapping:
        if not isinstance(data, dict):
            raise MappingError(_("A mapping is a JSON object."), "mapping")
        known = {"name", "columns", "encoding", "delimiter", "header_row", "defaults",
                 "only_log_date"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise MappingError(_("Unknown keys in the mapping: {keys}.").format(
                keys=", ".join(unknown)), "mapping")
        mapping = cls(
            name=str(data.get("name") or _("Unnamed mapping")),
            columns={str(k): str(v) for k, v in dict(data.get("columns") or {}).items()},
            encoding=str(data.get("encoding", "auto")),
            delimiter=str(data.get("delimiter", "auto")),
            header_row=int(data.get("header_row", 1)),
            defaults={str(k): str(v) for k, v in dict(data.get("defaults") or {}).items()},
            only_log_date=bool(data.get("only_log_date", True)))
        mapping.validate()
        return mapping

    @classmethod
    def from_json(cls, text: str) -> CsvMapping:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MappingError(_("The mapping is not valid JSON: {error}").format(
                error=exc.msg), "mapping") from exc
        return cls.from_dict(data)

    def validate(self) -> None:
        allowed = set(FIELD_KEYS) | {CONCLUSION_FIELD, DATE_FIELD}
        wrong = sorted(set(self.columns) - allowed) + sorted(set(self.defaults) -
                                                             set(FIELD_KEYS))
        if wrong:
            raise MappingError(_("Unknown fields in the mapping: {fields}.").format(
                fields=", ".join(wrong)), "mapping")
        for key in ("product_name", "value"):
            if key not in self.columns:
                raise MappingError(_("The mapping must say which column holds {field}.")
                                   .format(field=_(entry.FIELDS_BY_KEY[key].label)), "mapping")
        if self.header_row < 0:
            raise MappingError(_("The header line cannot be negative."), "mapping")
        if self.delimiter not in ("auto", ",", ";", "\t", "|"):
            raise MappingError(_("The delimiter is one of auto , ; | or a tab."), "mapping")
        if self.header_row == 0 and any(not v.startswith("#")
                                        for v in self.columns.values()):
            raise MappingError(_("Without a header line, columns are given by number (#1, "
                                 "#2 ...)."), "mapping")


DEFAULT_MAPPING = CsvMapping(
    name="农药残留速测仪（通用格式）",
    columns={
        "sample_no": "样品编号|样品编码|编号",
        "product_name": "样品名称|样品|名称",
        "test_item": "检测项目|项目",
        "value": "抑制率（%）|抑制率|检测值|结果值",
        "tested_at": "检测时间|时间",
        "tester": "检测人员|检测人|操作员",
        "stall_no": "摊位号|摊位|被检单位|受检单位",
        "instrument_no": "仪器编号",
        "reagent_batch": "试剂批号",
        "category": "样品类别|类别",
        CONCLUSION_FIELD: "检测结果|结论|判定",
    },
    defaults={"test_item": "农药残留"},
)


def load_mappings(session: Session) -> list[CsvMapping]:
    """The saved mappings, the built-in one first unless one of the same name is saved."""
    saved = []
    for data in MAPPINGS.get(session):
        try:
            saved.append(CsvMapping.from_dict(data))
        except (MappingError, TypeError, ValueError):
            continue
    names = {m.name for m in saved}
    return ([] if DEFAULT_MAPPING.name in names else [DEFAULT_MAPPING]) + saved


def save_mapping(session: Session, mapping: CsvMapping) -> None:
    """Save (or replace, by name) a mapping."""
    mapping.validate()
    kept = [m for m in MAPPINGS.get(session) if isinstance(m, dict)
            and m.get("name") != mapping.name]
    MAPPINGS.set(session, [*kept, asdict(mapping)])


def decode(data: bytes, encoding: str = "auto") -> str:
    if encoding == "auto":
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise MappingError(_("The file cannot be read as {encoding}; try “auto”.").format(
            encoding=encoding), "encoding") from exc


def read_table(data: bytes, mapping: CsvMapping) -> list[list[str]]:
    text = decode(data, mapping.encoding)
    delimiter = mapping.delimiter
    if delimiter == "auto":
        sample = "\n".join(text.splitlines()[:20])
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _resolve(mapping: CsvMapping, header: list[str] | None) -> dict[str, int]:
    """field -> column index."""
    where: dict[str, int] = {}
    normalized = [_norm(h) for h in header] if header else []
    missing = []
    for key, spec in mapping.columns.items():
        spec = spec.strip()
        if spec.startswith("#") and spec[1:].isdigit():
            where[key] = int(spec[1:]) - 1
            continue
        for alternative in spec.split("|"):
            target = _norm(alternative)
            if target and target in normalized:
                where[key] = normalized.index(target)
                break
        else:
            if key in ("product_name", "value"):
                missing.append(spec)
    if missing:
        raise MappingError(_(
            "The file has no column {columns}. Its columns are: {header}. Edit the mapping "
            "so that it names them.").format(columns=" / ".join(missing),
                                            header=", ".join(header or [])), "mapping")
    return where


def _day_of(text: str) -> date | None:
    match = re.match(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", entry.fold(text))
    if not match:
        return None
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def parse_csv(data: bytes, mapping: CsvMapping, ctx: EntryContext) -> ImportResult:
    """Read an instrument's CSV export through `mapping` and check every row."""
    mapping.validate()
    table = read_table(data, mapping)
    header = None
    first = 0
    if mapping.header_row:
        if len(table) < mapping.header_row:
            raise MappingError(_("The file has fewer lines than the header line {n}.").format(
                n=mapping.header_row), "mapping")
        header = table[mapping.header_row - 1]
        first = mapping.header_row
    where = _resolve(mapping, header)
    rows: list[tuple[int, dict[str, str], str]] = []
    said: dict[int, str] = {}
    skipped: list[tuple[int, str]] = []
    for n, cells in enumerate(table[first:], start=first + 1):
        if not any(c.strip() for c in cells):
            skipped.append((n, _("empty")))
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            i = where.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        row = {key: cell(key) for key in FIELD_KEYS if key in where}
        if DATE_FIELD in where and row.get("tested_at") and not _day_of(row["tested_at"]):
            row["tested_at"] = f"{cell(DATE_FIELD).strip()} {row['tested_at'].strip()}"
        elif DATE_FIELD in where and not row.get("tested_at"):
            row["tested_at"] = cell(DATE_FIELD)
        for key, value in mapping.defaults.items():
            if not entry.fold(row.get(key, "")):
                row[key] = value
        day = _day_of(row.get("tested_at", ""))
        if mapping.only_log_date and day is not None and day != ctx.log_date:
            skipped.append((n, _("tested on {day}").format(day=day.isoformat())))
            continue
        if CONCLUSION_FIELD in where and cell(CONCLUSION_FIELD).strip():
            said[n] = cell(CONCLUSION_FIELD).strip()
        rows.append((n, row, ",".join(cells)))
    result = check_rows(rows, ctx, said)
    result.skipped = skipped
    result.columns = [k for k in FIELD_KEYS if k in where]
    return result


def template_csv(columns: Sequence[str] = FIELD_KEYS) -> str:
    """A CSV header a workstation can fill by hand (the printed Chinese column names)."""
    return ",".join(entry.FIELDS_BY_KEY[k].printed for k in columns) + "\n"


Progress = Callable[[int, int], None]
