"""The columnar encoding of tables kept in the register (tickets, state history)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.register import _columns as c

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@given(st.lists(TEXT, max_size=40))
def test_utf8_round_trip_and_agrees_with_python(words: list[str]) -> None:
    arr = np.array(words, dtype=str) if words else np.empty(0, dtype="<U1")
    offsets, data = c.utf8("x", arr)
    # reference: Python's own encoder, one string at a time
    assert bytes(data) == "".join(words).encode("utf-8")
    assert np.diff(offsets).tolist() == [len(w.encode("utf-8")) for w in words]
    assert c.from_utf8(offsets, data).tolist() == words


@given(
    st.lists(TEXT, min_size=0, max_size=30),
    st.data(),
)
def test_tables_round_trip(ids: list[str], data: st.DataObject) -> None:
    n = len(ids)
    times = data.draw(hnp.arrays(np.int64, n, elements=st.integers(-(2**62), 2**62)))
    times[: n // 3] = np.iinfo(np.int64).min  # NaT
    ints = data.draw(hnp.arrays(np.int64, n))
    floats = data.draw(hnp.arrays(np.float64, n))  # NaN and infinities included
    flags = data.draw(hnp.arrays(np.bool_, n))
    groups = (
        np.array(
            data.draw(
                st.lists(
                    st.sampled_from(["Service Desk", "Apps & Data", "Sécurité IT", ""]),
                    min_size=n,
                    max_size=n,
                )
            ),
            dtype=str,
        )
        if n
        else np.empty(0, dtype="<U1")
    )
    cols = [
        ("id", "text", np.array(ids, dtype=str) if n else np.empty(0, dtype="<U1")),
        ("opened", "time", times.view("datetime64[ns]")),
        ("priority", "int", ints),
        ("hours", "float", floats),
        ("sla_met", "bool", flags),
        ("group", "text", groups),
        ("resolved", "time", None),
    ]
    chunks, meta = c.encode("tickets", cols, plain_text=["id"], info={"source": "x.csv"})
    got, info = c.decode("tickets", meta, chunks)
    assert info == {"source": "x.csv"}
    assert list(got) == [name for name, _, _ in cols]
    assert got["resolved"] is None
    for name, _, arr in cols:
        if arr is None:
            continue
        out = got[name]
        assert out is not None
        assert out.dtype.kind == arr.dtype.kind
        if arr.dtype.kind == "M":
            assert np.array_equal(out.view(np.int64), arr.view(np.int64))
        elif arr.dtype.kind == "f":
            assert np.array_equal(out, arr, equal_nan=True)
        else:
            assert out.tolist() == arr.tolist()
        assert out.flags.writeable  # own copies, not views of the stored bytes


def test_a_large_table_is_cut_into_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(c, "CHUNK", 1000)
    ids = np.array([f"INC{i:07d}" for i in range(500)])
    chunks, meta = c.encode("tickets", [("id", "text", ids)], plain_text=["id"])
    assert len(chunks) > 1
    assert max(len(x) for x in chunks) <= 1000
    assert c.decode("tickets", meta, chunks)[0]["id"].tolist() == ids.tolist()


def test_dictionary_coding_keeps_few_distinct_values_small() -> None:
    groups = np.array(["Service Desk", "Network / WAN"] * 50_000)
    chunks, meta = c.encode("t", [("group", "text", groups)])
    # 100,000 codes of 4 bytes plus the two names: far less than 100,000 names
    assert sum(len(x) for x in chunks) < 100_000 * 4 + 100
    assert json.loads(meta)["columns"][0]["encoding"] == "dict"


def test_a_lone_surrogate_is_refused_naming_the_row() -> None:
    with pytest.raises(InvalidInputError, match=r"tickets.id\[1\]"):
        c.encode("tickets", [("id", "text", np.array(["a", "b\ud800"]))], plain_text=["id"])


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="expected 2 values"):
        c.encode("t", [("a", "int", np.arange(2)), ("b", "int", np.arange(3))])


def _table() -> tuple[list[bytes], str]:
    return c.encode(
        "tickets",
        [("id", "text", np.array(["a", "b"])), ("n", "int", np.array([1, 2]))],
        plain_text=["id"],
    )


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda chunks, meta: (chunks, "not json"), "not JSON"),
        (lambda chunks, meta: (chunks, meta.replace("itil-ci/columns", "x")), "not a table"),
        (lambda chunks, meta: (chunks, meta.replace('"version":1', '"version":2')), "version 2"),
        (lambda chunks, meta: ([chunks[0][:-1] + b"x"], meta), "checksum"),
        (lambda chunks, meta: ([], meta), "checksum"),
        (lambda chunks, meta: (chunks, meta.replace('"kind":"int"', '"kind":"blob"')), "described"),
        (lambda chunks, meta: (chunks, meta.replace('"rows":2', '"rows":3')), "3 rows"),
    ],
)
def test_a_damaged_table_is_a_storage_error(damage: object, match: str) -> None:
    chunks, meta = _table()
    bad_chunks, bad_meta = damage(chunks, meta)  # type: ignore[operator]
    with pytest.raises(StorageError, match=match):
        c.decode("tickets", bad_meta, bad_chunks)
