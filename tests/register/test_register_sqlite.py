"""SQLite durability with real processes: SIGKILL mid-write, concurrent updates, bad files.

(a) a writer is killed with SIGKILL at random moments while it commits
batches; after each kill the file opens, passes ``PRAGMA integrity_check``,
holds every batch the writer reported as committed, and every batch is there
whole or not at all.  (b) three processes update the same initiatives at once:
each update lands or raises ConflictError, and the final versions and
contents account for every successful update.  (c) corrupt files, files of
other applications, newer files, read-only directories and a full disk give
StorageError and leave the data as it was.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import ConflictError, StorageError
from itil_ci.register import SCHEMA_VERSION, Register, _schema, _sqlite

N_ROWS = 4_000  # observations per record call in a batch

_FORK = multiprocessing.get_context("fork")  # children start at once, itil_ci already imported


def _writer(path: str, report: str, first: int, ready: Any) -> None:
    """Commit batches until killed; report each batch id after its commit returned."""
    reg = Register.open(path)
    ready.set()
    with open(report, "a") as out:
        b = first
        while True:
            t = (np.int64(b) * N_ROWS + np.arange(N_ROWS, dtype=np.int64)).view("datetime64[ns]")
            with reg.transaction():
                reg.log(ic.Opportunity(f"batch {b}", id=f"b{b:05d}"))
                reg.record("load", t, np.full(N_ROWS, float(b)))
                reg.add_baseline(ic.Baseline("load", float(b)))
                reg.record("load2", t, np.full(N_ROWS, float(b)), source="w")
            out.write(f"{b}\n")
            out.flush()
            b += 1


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_file(path: Path, reported: set[int]) -> set[int]:
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Register.open(path) as reg:
        present: set[int] = set()
        for key in ("load", "load2"):
            values = reg.series(key).values
            ids, counts = np.unique(values, return_counts=True)
            assert (counts == N_ROWS).all(), "a batch is there only in part"
            present = set(ids.astype(int).tolist()) if key == "load" else present
            assert set(ids.astype(int).tolist()) == present
        opps = {int(o.id[1:]) for o in reg.opportunities()}
        bases = [int(b.value) for b in reg.baselines("load")]
    assert opps == present == set(bases)
    assert len(bases) == len(present)
    assert reported <= present, f"committed batches lost: {sorted(reported - present)}"
    return present


def test_sigkill_mid_write_never_loses_or_tears_a_transaction(tmp_path: Path) -> None:
    path, report = tmp_path / "crash.db", tmp_path / "committed.txt"
    rng = np.random.default_rng(2026)
    first, kills = 0, 20
    present: set[int] = set()
    for k in range(kills):
        ready = _FORK.Event()
        proc = _FORK.Process(target=_writer, args=(str(path), str(report), first, ready))
        proc.start()
        if k >= 2:  # the first two kills may land while the file is being created
            assert ready.wait(30)
        # a batch commits in a few ms, so 0-80 ms already spreads the kills over every phase
        # of a commit; longer waits only grow the file that each check has to read
        time.sleep(float(rng.uniform(0.0, 0.08)))
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        assert proc.exitcode == -signal.SIGKILL
        reported = {int(x) for x in report.read_text().split()} if report.exists() else set()
        if path.exists():
            present = _check_file(path, reported)
        first = max(present | reported | {first}) + 1
    # the test has to have exercised something
    assert len(present) >= kills // 2


def _updater(path: str, name: str, start: float, seconds: float, result: str) -> None:
    """Read-modify-update random initiatives; record which updates landed."""
    reg = Register.open(path, timeout=30)
    rng = random.Random(name)
    ok: dict[str, list[str]] = {}
    conflicts, n = 0, 0
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < start + seconds:
        i = f"i{rng.randrange(4)}"
        ini = reg.initiative(i)
        token = f"{name}-{n}"
        n += 1
        ini.lessons = [*ini.lessons, token]
        time.sleep(rng.random() * 0.002)
        try:
            reg.update(ini)
        except ConflictError as err:
            if (err.entity, err.id) != ("initiative", i) or not err.actual > err.expected:
                raise RuntimeError(f"a ConflictError with the wrong facts: {err}") from None
            conflicts += 1
        else:
            ok.setdefault(i, []).append(token)
    Path(result).write_text(json.dumps({"ok": ok, "conflicts": conflicts}))


def test_concurrent_updates_land_or_conflict_and_none_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with Register.open(path) as reg:
        for i in range(4):
            reg.log(ic.Initiative(f"initiative {i}", id=f"i{i}", model="pdca"))
    start = time.time() + 0.5
    procs = [
        _FORK.Process(
            target=_updater,
            args=(str(path), f"p{p}", start, 3.0, str(tmp_path / f"p{p}.json")),
        )
        for p in range(3)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    results = [json.loads((tmp_path / f"p{p}.json").read_text()) for p in range(3)]
    landed: dict[str, list[str]] = {}
    for r in results:
        for i, tokens in r["ok"].items():
            landed.setdefault(i, []).extend(tokens)
    assert sum(len(t) for t in landed.values()) > 0
    assert sum(r["conflicts"] for r in results) > 0
    with Register.open(path) as reg:
        for i in range(4):
            ini = reg.initiative(f"i{i}")
            tokens = landed.get(f"i{i}", [])
            assert ini.version == len(tokens)
            assert sorted(ini.lessons) == sorted(tokens)  # every landed update is there


# --- (c) bad files and bad places ----------------------------------------------------


def test_new_file_is_wal_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Register.open(path).close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA application_id").fetchone()[0] == _schema.APPLICATION_ID
    con.close()
    (tmp_path / "empty.db").write_bytes(b"")  # a zero-byte file is a new database
    Register.open(tmp_path / "empty.db").close()


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database\n" * 50, bytes(range(256)) * 40],
    ids=["text", "binary"],
)
def test_non_sqlite_file_is_refused_and_kept(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StorageError, match="not a SQLite database"):
        Register.open(path)
    assert path.read_bytes() == content


def test_other_applications_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    before = _sha(path)
    with pytest.raises(StorageError, match="another application"):
        Register.open(path)
    assert _sha(path) == before


def test_corrupt_register_gives_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with Register.open(path) as reg:
        for i in range(200):
            reg.log(ic.Opportunity(f"opportunity {i} " + "x" * 200, id=f"o{i:03d}"))
        t = np.arange(100_000, dtype=np.int64).view("datetime64[ns]")
        reg.record("k", t, np.ones(100_000))
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(7)
    data[4096 : len(data) - 4096] = rng.integers(0, 256, len(data) - 8192, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))

    def read_all() -> None:
        with Register.open(path) as reg:
            reg.export_json()

    with pytest.raises(StorageError):  # at open or at the first read; never another error
        read_all()
    assert path.read_bytes() == bytes(data)


def test_newer_file_is_refused_and_never_altered(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with Register.open(path) as reg:
        reg.log(ic.Opportunity("keep me", id="o1"))
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    con.close()
    before = _sha(path)
    with pytest.raises(StorageError, match=rf"schema version {SCHEMA_VERSION + 1}, newer"):
        Register.open(path)
    assert _sha(path) == before
    assert not (tmp_path / "future.db-wal").exists()


def test_migrations_run_on_open_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    with Register.open(path) as reg:
        reg.log(ic.Opportunity("old", id="o1"))
    migrations = {**_schema.MIGRATIONS, SCHEMA_VERSION: "CREATE TABLE extra (x INTEGER)"}
    monkeypatch.setattr(_sqlite, "MIGRATIONS", migrations)
    monkeypatch.setattr(_sqlite, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Register.open(path) as reg:
        assert reg.opportunity("o1").title == "old"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert con.execute("SELECT count(*) FROM extra").fetchone()[0] == 0
    con.close()


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        Register.open(tmp_path / "nope" / "r.db")
    with pytest.raises(StorageError, match="is a directory"):
        Register.open(tmp_path)


READ_ONLY = r"""
import sys
from itil_ci.errors import ConflictError, StorageError
from itil_ci.register import Register
try:
    Register.open(sys.argv[1]).opportunities()
except StorageError as err:
    print("StorageError:", err)
else:
    print("opened")
"""


def _run_unprivileged(path: Path) -> str:
    # root ignores file permissions; without capabilities it is held to them
    prefix = ["setpriv", "--bounding-set=-all", "--inh-caps=-all"] if os.geteuid() == 0 else []
    out = subprocess.run(
        [*prefix, sys.executable, "-c", READ_ONLY, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


@pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None,
    reason="running as root without setpriv: permissions cannot be enforced",
)
def test_read_only_directory_is_a_clear_error_and_keeps_data() -> None:
    base = Path(tempfile.mkdtemp(prefix="itil_ci_ro_"))
    try:
        base.chmod(0o755)
        ro = base / "ro"
        ro.mkdir()
        with Register.open(ro / "r.db") as reg:
            reg.log(ic.Opportunity("keep me", id="o1"))
        before = _sha(ro / "r.db")
        (ro / "r.db").chmod(0o444)
        ro.chmod(0o555)
        new = _run_unprivileged(ro / "new.db")
        assert new.startswith("StorageError:"), new
        assert "cannot be written" in new, new
        assert not (ro / "new.db").exists()
        old = _run_unprivileged(ro / "r.db")
        assert old.startswith("StorageError:"), old
        assert "cannot be written" in old, old
        assert _sha(ro / "r.db") == before
    finally:
        for p in (base / "ro", base / "ro" / "r.db"):
            if p.exists():
                p.chmod(0o755)
        subprocess.run(["rm", "-rf", str(base)], check=True)


def test_full_disk_writes_nothing_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "full.db"
    reg = Register.open(path)
    reg.log(ic.Opportunity("before", id="o1"))
    t = np.arange(1000, dtype=np.int64).view("datetime64[ns]")
    reg.record("k", t, np.arange(1000.0))
    before = reg.export_json()
    con = reg.store._con  # type: ignore[attr-defined]
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.execute(f"PRAGMA max_page_count={pages + 2}")  # a disk with room for two more pages
    big = np.arange(500_000, dtype=np.int64).view("datetime64[ns]")
    with pytest.raises(StorageError, match="full"):
        reg.record("k", big, np.ones(500_000))

    def small_then_huge() -> None:
        with reg.transaction():
            reg.log(ic.Opportunity("small", id="o2"))
            reg.log(ic.Opportunity("huge", id="o3", description="x" * 200_000))

    with pytest.raises(StorageError, match="full"):
        small_then_huge()
    assert reg.export_json() == before  # still readable, nothing half-written
    reg.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Register.open(path) as again:
        assert again.export_json() == before
        again.log(ic.Opportunity("after", id="o2"))  # the limit was only for that connection


def test_threads_sharing_one_register_keep_transactions_apart(tmp_path: Path) -> None:
    import threading

    reg = Register.open(tmp_path / "threads.db")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(30):
                with reg.transaction():
                    reg.log(ic.Opportunity(f"t{n}-{i}", id=f"t{n}-{i}"))
                    if i % 3 == 0:
                        raise_after = reg.opportunities(service="none")  # a read inside
                        assert raise_after == []
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(reg.opportunities()) == 120
    reg.close()
