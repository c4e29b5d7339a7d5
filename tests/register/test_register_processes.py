"""The database stores with real processes: concurrent updates, clients killed mid-write, restarts.

Run on SQLite and on PostgreSQL (the memory store lives in one process):

(a) four processes update one initiative 200 times each, reading it,
changing it and writing it back: every update lands or raises
ConflictError, and the stored initiative accounts for every landed update
(no lost update); (b) a writing client is killed with SIGKILL 30 times at
random moments while it commits batches (an opportunity, observations, a
baseline, a named document and a named table per batch): every batch is
there whole or not at all, and every batch the client saw committed is
there; (c) PostgreSQL only: the server is restarted (``pg_ctl restart``)
while a thread writes batches in a loop; the writes that fail say the
connection was lost, the loop goes on without opening the register again,
and every acknowledged batch is there whole.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import ConflictError, StorageError
from itil_ci.register import Register
from tests.register.conftest import Backend
from tests.register.test_register_postgres import restart_server

_FORK = multiprocessing.get_context("fork")  # children start at once, itil_ci already imported

PROCESSES, UPDATES = 4, 200
N_ROWS = 2_000  # observations per batch
KILLS = 30


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    b = Backend(request.param, tmp_path)
    yield b
    b.close()


# --- (a) four processes, one initiative ----------------------------------------------------


def _updater(target: str, name: str, start: float, result: str) -> None:
    reg = Register.open(target, timeout=60)
    rng = random.Random(name)
    landed: list[str] = []
    conflicts: list[tuple[int, int]] = []
    while time.time() < start:
        time.sleep(0.001)
    for n in range(UPDATES):
        ini = reg.initiative("shared")
        token = f"{name}-{n}"
        ini.lessons = [*ini.lessons, token]
        time.sleep(rng.random() * 0.002)  # others get in between the read and the write
        try:
            reg.update(ini)
        except ConflictError as err:
            if (err.entity, err.id) != ("initiative", "shared"):
                raise
            conflicts.append((err.expected, err.actual))
        else:
            landed.append(token)
    reg.close()
    Path(result).write_text(json.dumps({"landed": landed, "conflicts": conflicts}))


def test_four_processes_updating_one_initiative_lose_no_update(db: Backend, tmp_path: Path) -> None:
    with Register.open(db.target) as reg:
        reg.log(ic.Initiative("one initiative for everybody", id="shared", model="pdca"))
    start = time.time() + 0.5
    procs = [
        _FORK.Process(
            target=_updater, args=(db.target, f"p{p}", start, str(tmp_path / f"p{p}.json"))
        )
        for p in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(300)
        assert proc.exitcode == 0
    results = [json.loads((tmp_path / f"p{p}.json").read_text()) for p in range(PROCESSES)]
    landed = [token for r in results for token in r["landed"]]
    conflicts = [c for r in results for c in r["conflicts"]]
    assert len(landed) + len(conflicts) == PROCESSES * UPDATES  # each landed or conflicted
    assert conflicts, "no update conflicted: the processes did not contend"
    assert all(actual > expected for expected, actual in conflicts)
    with Register.open(db.target) as reg:
        stored = reg.initiative("shared")
    assert stored.version == len(landed)  # one version per landed update, none lost
    assert sorted(stored.lessons) == sorted(landed)  # and each landed change is there


# --- (b) a writer killed 30 times ----------------------------------------------------------


def _batch(reg: Register, b: int) -> None:
    t = (np.int64(b) * N_ROWS + np.arange(N_ROWS, dtype=np.int64)).view("datetime64[ns]")
    with reg.transaction():
        reg.log(ic.Opportunity(f"batch {b}", id=f"b{b:05d}"))
        reg.record("load", t, np.full(N_ROWS, float(b)), source="w", dims={"batch": str(b % 3)})
        reg.add_baseline(ic.Baseline("load", float(b)))
        reg.store.put_document("sla", f"b{b:05d}", json.dumps({"batch": b}))
        payload = np.full(50_000, b, dtype="<i8").tobytes()  # 400 kB
        reg.store.replace_table("latest", [payload, payload[:8]], json.dumps({"batch": b}))


def _writer(target: str, report: str, first: int, ready: Any) -> None:
    """Commit batches until killed; report each batch after its commit returned."""
    reg = Register.open(target)
    ready.set()
    with open(report, "a") as out:
        b = first
        while True:
            _batch(reg, b)
            out.write(f"{b}\n")
            out.flush()
            b += 1


def _present(target: str) -> set[int]:
    """The batches stored, each checked to be whole."""
    with Register.open(target) as reg:
        values = reg.series("load").values
        ids, counts = np.unique(values, return_counts=True)
        assert (counts == N_ROWS).all(), "a batch's observations are there only in part"
        present = {int(i) for i in ids}
        assert {int(o.id[1:]) for o in reg.opportunities()} == present
        bases = [int(b.value) for b in reg.baselines("load")]
        assert sorted(bases) == sorted(present)
        docs = reg.store.documents("sla")
        assert {json.loads(str(d))["batch"] for _, d in docs} == present
        latest = reg.store.table("latest")
        if present:
            assert latest is not None
            meta, chunks = latest
            b = json.loads(meta)["batch"]
            assert b == max(present)  # the last committed replacement, whole
            assert (np.frombuffer(chunks[0], dtype="<i8") == b).all()
            assert chunks[1] == chunks[0][:8]
        else:
            assert latest is None
    return present


def _wait_gone(db: Backend, name: str) -> None:
    """Wait until the server has finished with the killed client's connection."""
    deadline = time.time() + 30
    while db.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?", (name,)) != [
        (0,)
    ]:
        assert time.time() < deadline, "the server kept a killed client's connection"
        time.sleep(0.01)


def test_a_writer_killed_mid_write_leaves_whole_batches_only(db: Backend, tmp_path: Path) -> None:
    target = db.target
    if db.kind == "postgres":  # its connections can be told apart from the checker's
        target += "&application_name=itil-ci-killed-writer"
    report = tmp_path / "committed.txt"
    rng = np.random.default_rng(2026)
    first = 0
    present: set[int] = set()
    for k in range(KILLS):
        ready = _FORK.Event()
        proc = _FORK.Process(target=_writer, args=(target, str(report), first, ready))
        proc.start()
        if k >= 2:  # the first kills may land while the register is being created
            assert ready.wait(60)
        time.sleep(float(rng.uniform(0.0, 0.08)))
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        assert proc.exitcode == -signal.SIGKILL
        if db.kind == "postgres":
            _wait_gone(db, "itil-ci-killed-writer")
        reported = {int(x) for x in report.read_text().split()} if report.exists() else set()
        if db.kind == "postgres" or db.path.exists():
            present = _present(db.target)
        assert reported <= present, f"committed batches lost: {sorted(reported - present)}"
        first = max(present | reported | {first}) + 1
    assert len(present) >= KILLS // 2  # the test exercised something


# --- (c) PostgreSQL restarted under a write loop -------------------------------------------


def test_a_server_restart_in_a_write_loop_loses_no_acknowledged_batch(tmp_path: Path) -> None:
    pg = Backend("postgres", tmp_path)
    try:
        _restart_under_writes(pg)
    finally:
        pg.close()


def _restart_under_writes(pg: Backend) -> None:
    reg = Register.open(pg.url)
    acknowledged: list[int] = []
    errors: list[str] = []
    unexpected: list[BaseException] = []
    stop = threading.Event()

    def loop() -> None:
        b = 0
        try:
            while not stop.is_set():
                try:
                    _batch(reg, b)
                except StorageError as err:
                    errors.append(str(err))
                    if "may or may not have been stored" in str(err):
                        # the commit was lost in flight: look before writing it again
                        try:
                            reg.opportunity(f"b{b:05d}")
                        except (ic.errors.NotFound, StorageError):
                            continue
                        acknowledged.append(b)
                        b += 1
                    continue  # the same register, not opened again: retry
                acknowledged.append(b)
                b += 1
        except BaseException as exc:  # pragma: no cover - reported below
            unexpected.append(exc)

    started = pg.sql("SELECT pg_postmaster_start_time()")[0][0]
    writer = threading.Thread(target=loop)
    writer.start()
    try:
        deadline = time.time() + 60
        while len(acknowledged) < 20 and time.time() < deadline:
            time.sleep(0.01)
        restart_server()
        after = len(acknowledged)
        while len(acknowledged) < after + 20 and time.time() < deadline + 60:
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join(120)
    assert unexpected == []
    assert pg.sql("SELECT pg_postmaster_start_time()")[0][0] != started, "no restart happened"
    assert len(acknowledged) >= after + 20, "the loop did not go on after the restart"
    for message in errors:  # every failure says what happened
        assert "connection to the server was lost" in message or "no connection" in message
    reg.close()
    present = _present(pg.url)
    assert set(acknowledged) <= present
    assert present - set(acknowledged) <= {max(acknowledged) + 1}  # at most the one in flight
