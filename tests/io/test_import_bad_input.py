"""Bad input for the importers: every case is a clear ItilCiError, nothing else escapes.

pytest runs with ``filterwarnings = error``, so a numpy warning would fail a
case too.  Each call raises, so nothing is half-imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from itil_ci.errors import ImportRowError, InvalidInputError, ItilCiError
from itil_ci.io import Tickets, read_csv, read_jira, read_servicenow

CSV_OK = "id,opened\nA,2024-01-01 08:00\n"
SN_REC = {"number": "INC1", "opened_at": "2024-01-01 08:00:00", "priority": "3"}


def sn(*records: Any) -> str:
    return json.dumps({"result": list(records)}, ensure_ascii=False)


def jira(*issues: Any) -> str:
    return json.dumps({"issues": list(issues)})


NAIVE = pa.array([0], pa.timestamp("s"))
ISSUE = {"key": "A-1", "fields": {"created": "2024-01-01T00:00:00Z", "priority": {"name": "High"}}}

# (id, file name, content (str or bytes), call, expected error class, text in the message)
Case = tuple[str, str, str | bytes, Callable[[Path], Any], type[ItilCiError], str]
CASES: list[Case] = [
    # --- issue 11: escapes and silent wrong values -----------------------------------------
    ("csv-reopen-40-digits", "t.csv", "id,opened,reopen_count\nA,2024-01-01," + "9" * 40 + "\n",
     read_csv, ImportRowError, "whole number"),
    ("sn-reopen-40-digits", "t.json", sn({**SN_REC, "reopen_count": "9" * 40}),
     read_servicenow, ImportRowError, "whole number"),
    ("sn-reopen-float-overflow", "t.json", sn({**SN_REC, "reopen_count": "1e400"}),
     read_servicenow, ImportRowError, "whole number"),
    ("sn-deeply-nested", "t.json", '{"result": [' + "[" * 50_000 + "]" * 50_000 + "]}",
     read_servicenow, ImportRowError, "nested too deeply"),
    ("jira-deeply-nested", "t.json", '{"issues": [{"key": ' + "[" * 50_000 + "]" * 50_000 + "}]}",
     read_jira, ImportRowError, "nested too deeply"),
    ("sn-integer-5000-digits", "t.json", '{"result": [{"x": ' + "1" * 5000 + "}]}",
     read_servicenow, ImportRowError, "invalid JSON value"),
    ("sn-latin-1", "t.json", sn({**SN_REC, "category": "Réseau"}).encode("latin-1"),
     read_servicenow, ImportRowError, "not utf-8-sig text"),
    ("jira-utf-16", "t.json", jira(ISSUE).encode("utf-16"), read_jira, ImportRowError,
     "looks like"),
    ("csv-latin-1", "t.csv", "id,opened,category\nA,2024-01-01,Réseau\n".encode("latin-1"),
     read_csv, ImportRowError, "not utf-8-sig text"),
    ("sn-calendar-stc-9.3e9", "t.json",
     sn({**SN_REC, "state": "6", "calendar_stc": "9300000000"}),
     read_servicenow, ImportRowError, "before 2262"),
    ("csv-unclosed-quote", "t.csv", 'id,opened,category\nA,2024-01-01,"printers\nB,2024-01-02,x\n',
     read_csv, ImportRowError, "ends inside a quoted field"),
    ("sn-csv-unclosed-quote", "t.csv", 'number,opened_at\nINC1,"2024-01-01 08:00:00\n',
     read_servicenow, ImportRowError, "ends inside a quoted field"),
    # --- the issue's bad-input table ------------------------------------------------------
    ("unknown-date-format", "t.csv", CSV_OK, lambda p: read_csv(p, date_format="%Q-%m-%Y"),
     InvalidInputError, "unsupported directive %Q"),
    ("wrong-date-format", "t.csv", CSV_OK, lambda p: read_csv(p, date_format="%d/%m/%Y"),
     ImportRowError, "'%d/%m/%Y'"),
    ("marker-in-required-column", "t.csv", "id,opened\nA,?\n",
     lambda p: read_csv(p, na_values=["?"]), ImportRowError, "not missing"),
    ("marker-as-id", "t.csv", "id,opened\n?,2024-01-01\n",
     lambda p: read_csv(p, na_values=["?"]), ImportRowError, "non-empty ticket id"),
    ("order-column-not-a-number", "t.csv",
     "number,opened_at,sys_mod_count\nINC1,2024-01-01,1\nINC1,2024-01-01,two\n",
     read_servicenow, ImportRowError, "update order"),
    ("json-when-csv-asked", "t.json", sn(SN_REC), lambda p: read_servicenow(p, format="csv"),
     ImportRowError, "looks like JSON"),
    ("json-to-read-csv", "t.json", sn(SN_REC), read_csv, ImportRowError, "looks like JSON"),
    ("csv-when-json-asked", "t.csv", "number,opened_at\nINC1,2024-01-01\n",
     lambda p: read_servicenow(p, format="json"), ImportRowError, "looks like CSV"),
    ("html-error-page", "t.csv", "<html><body>503 Service Unavailable</body></html>",
     read_servicenow, ImportRowError, "looks like HTML"),
    ("binary-file", "t.csv", b"PK\x03\x04\x00\x00\x08\x00", read_csv, ImportRowError,
     "looks like BINARY"),
    # --- values and rules -----------------------------------------------------------------
    ("duplicate-id-no-order", "t.csv", "id,opened\nA,2024-01-01\nA,2024-01-02\n", read_csv,
     ImportRowError, "duplicate ticket id"),
    ("negative-count", "t.csv", "id,opened,reassignment_count\nA,2024-01-01,-1\n", read_csv,
     ImportRowError, "whole number"),
    ("priority-nine", "t.csv", "id,opened,priority\nA,2024-01-01,9\n", read_csv, ImportRowError,
     "priority 1..5"),
    ("made-sla-maybe", "t.csv", "number,opened_at,made_sla\nINC1,2024-01-01,maybe\n",
     read_servicenow, ImportRowError, "recorded SLA outcome"),
    ("made-sla-empty", "t.csv", "id,opened,sla_met\nA,2024-01-01,\n", read_csv, ImportRowError,
     "recorded SLA outcome"),
    ("resolved-before-opened", "t.csv", "id,opened,resolved\nA,2024-01-02,2024-01-01\n", read_csv,
     ImportRowError, "not earlier than opened"),
    ("year-3000", "t.csv", "id,opened\nA,3000-01-01\n", read_csv, ImportRowError, "date-time"),
    ("year-3000-with-format", "t.csv", "id,opened\nA,01.01.3000\n",
     lambda p: read_csv(p, date_format="%d.%m.%Y"), ImportRowError, "'%d.%m.%Y'"),
    ("bad-update-time", "t.csv", "number,opened_at,sys_updated_on\nINC1,2024-01-01,soon\n",
     read_servicenow, ImportRowError, "date-time"),
    ("short-row", "t.csv", "id,opened,state\nA,2024-01-01\n", read_csv, ImportRowError, "3 fields"),
    ("empty-file", "t.csv", "", read_csv, ImportRowError, "empty"),
    ("no-opened-column", "t.csv", "Number,Opened at\nA,2024-01-01\n", read_csv, ImportRowError,
     "--map 'Opened at'=opened"),
    ("sn-fields-names-a-missing-column", "t.csv", "number,opened_at\nINC1,2024-01-01\n",
     lambda p: read_servicenow(p, fields={"acknowledged": "u_responded_at"}), ImportRowError,
     "u_responded_at"),
    ("jira-changelog-bad-time", "t.json",
     jira({**ISSUE, "changelog": {"histories": [{"created": 5, "items": []}]}}),
     read_jira, ImportRowError, "changelog"),
    ("jira-sla-field-wrong-shape", "t.json",
     jira({**ISSUE, "fields": {**ISSUE["fields"], "cf": {"ongoingCycle": {"breached": 1}}}}),
     lambda p: read_jira(p, fields={"sla_met": "fields.cf"}), ImportRowError, "SLA outcome"),
    # --- arguments ------------------------------------------------------------------------
    ("bad-tz", "t.csv", CSV_OK, lambda p: read_csv(p, tz="Mars/Olympus"), InvalidInputError, "tz"),
    ("na-values-a-string", "t.csv", CSV_OK, lambda p: read_csv(p, na_values="?"),
     InvalidInputError, "na_values"),
    ("na-values-blank", "t.csv", CSV_OK, lambda p: read_csv(p, na_values=[" "]),
     InvalidInputError, "na_values"),
    ("date-format-not-text", "t.csv", CSV_OK, lambda p: read_csv(p, date_format=5),
     InvalidInputError, "date_format"),
    ("mapping-unknown-field", "t.csv", CSV_OK, lambda p: read_csv(p, {"id": "colour"}),
     InvalidInputError, "mapping"),
    ("mapping-twice-one-field", "t.csv", CSV_OK, lambda p: read_csv(p, {"a": "id", "b": "id"}),
     InvalidInputError, "no other column"),
    ("mapping-absent-column", "t.csv", CSV_OK, lambda p: read_csv(p, {"Number": "id"}),
     ImportRowError, "not in the header"),
    ("format-xml", "t.csv", CSV_OK, lambda p: read_servicenow(p, format="xml"),
     InvalidInputError, "format"),
    ("engine-rust", "t.csv", CSV_OK, lambda p: read_csv(p, engine="rust"), InvalidInputError,
     "engine"),
    ("delimiter-quote", "t.csv", CSV_OK, lambda p: read_csv(p, delimiter='"'), InvalidInputError,
     "delimiter"),
    ("encoding-unknown", "t.csv", CSV_OK, lambda p: read_csv(p, encoding="klingon"),
     InvalidInputError, "encoding"),
    ("path-is-a-directory", "t.csv", CSV_OK, lambda p: read_csv(p.parent), InvalidInputError,
     "existing file"),
    ("path-with-nul", "t.csv", CSV_OK, lambda p: read_csv(str(p) + "\x00x"), InvalidInputError,
     "NUL"),
    ("on-error-ignore", "t.csv", CSV_OK, lambda p: read_csv(p, on_error="ignore"),
     InvalidInputError, "on_error"),
    ("chunk-rows-zero", "t.csv", CSV_OK, lambda p: read_csv(p, chunk_rows=0), InvalidInputError,
     "chunk_rows"),
    ("from-arrow-not-a-table", "t.csv", CSV_OK, lambda p: Tickets.from_arrow([1, 2]),
     InvalidInputError, "obj"),
    ("from-arrow-naive-times", "t.csv", CSV_OK,
     lambda p: Tickets.from_arrow(pa.table({"id": ["a"], "opened": NAIVE})),
     InvalidInputError, "timezone-aware"),
    ("to-parquet-into-a-file-path-dir", "t.csv", CSV_OK,
     lambda p: Tickets.empty().to_parquet(p.parent), InvalidInputError, "not a directory"),
]  # fmt: skip


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    ("name", "content", "call", "error", "text"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_bad_input_is_a_clear_error(
    tmp_path: Path,
    name: str,
    content: str | bytes,
    call: Callable[[Path], Any],
    error: type[ItilCiError],
    text: str,
) -> None:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    with pytest.raises(error) as e:
        call(p)
    assert text in str(e.value), str(e.value)
    if isinstance(e.value, ImportRowError):
        assert e.value.path in (str(p), str(tmp_path))
        assert e.value.record is None or e.value.record >= 0


def test_calendar_stc_overflow_names_the_value() -> None:
    # 9.3e9 s is 294 years: beyond datetime64[ns]; it used to wrap and leave the ticket open.
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "sn.json"
        p.write_text(sn({**SN_REC, "state": "6", "calendar_stc": "9300000000"}))
        with pytest.raises(ImportRowError) as e:
            read_servicenow(p)
        assert (e.value.record, e.value.field) == (0, "calendar_stc")
        assert "'9300000000'" in str(e.value)
        r = read_servicenow(p, on_error="skip")
        assert (len(r.tickets), r.skipped) == (0, 1)
