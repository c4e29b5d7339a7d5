"""What only the PostgreSQL store has: URLs, its schema in a database, server trouble, the pool.

Against a real server (``eval "$(.ci/postgres start)"``; ``.ci/run`` starts
one for CI), each test in a schema of its own.  Server trouble is made for
real where it can be: a refused connection, ``pg_ctl restart`` (through
``.ci/postgres restart``) in the middle of a transaction and while idle, a
``statement_timeout`` and a ``lock_timeout`` hit while another connection
holds a row lock, and a full disk (a tablespace on a 2 MiB tmpfs, which
needs root; the error path is also taken on every machine through a trigger
that raises the server's ``disk_full`` error).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import itil_ci as ic
from itil_ci.errors import InvalidInputError, StorageError
from itil_ci.register import SCHEMA_VERSION, PostgresStore, Register
from tests.register.conftest import Backend, with_schema

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Backend]:
    b = Backend("postgres", tmp_path)
    yield b
    b.close()


def _options(url: str, *settings: str) -> str:
    """``url`` with more ``-c`` settings in its ``options`` (``with_schema`` put them last)."""
    assert "&options=" in url or "?options=" in url
    return url + urllib.parse.quote("".join(f" -c{s}" for s in settings))


def restart_server() -> None:
    """``pg_ctl restart`` of the test server (``.ci/postgres restart``)."""
    if not os.environ.get("ITIL_CI_PG_DIR"):
        why = "restarting the server needs one started by `.ci/postgres start` (ITIL_CI_PG_DIR)"
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    subprocess.run([str(ROOT / ".ci" / "postgres"), "restart"], check=True, timeout=120)


def _started(pg: Backend) -> object:
    return pg.sql("SELECT pg_postmaster_start_time()")[0][0]


# --- URLs and opening --------------------------------------------------------------------


def test_every_url_form_opens_the_same_register(pg: Backend) -> None:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(pg.url)
    db, host, user = params["dbname"], params["host"], params.get("user", "")
    options = urllib.parse.quote(str(params["options"]))
    assert isinstance(host, str)
    assert host.startswith("/"), "the test server listens on a unix socket"
    socket = urllib.parse.quote(host, safe="")
    forms = [
        pg.url,
        f"postgresql:///{db}?host={socket}&user={user}&options={options}",
        f"postgresql://{user}@/{db}?host={socket}&options={options}",
        f"postgres://{user}@/{db}?host={socket}&options={options}",
    ]
    with Register.open(forms[0]) as reg:
        reg.log(ic.Opportunity("shared", id="o1"))
    for url in forms[1:]:
        with Register.open(url) as reg:
            assert isinstance(reg.store, PostgresStore)
            assert [o.id for o in reg.opportunities()] == ["o1"]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("postgresql://itil@127.0.0.1:1/ci?connect_timeout=5", "refused"),
        ("postgresql:///ci?host=/nonexistent/itil-ci-socket", "No such file or directory"),
    ],
)
def test_a_server_that_cannot_be_reached_is_a_storage_error(url: str, why: str) -> None:
    with pytest.raises(StorageError, match=rf"cannot connect to the server \(.*{why}"):
        Register.open(url)


def test_a_missing_database_and_a_password_are_reported_without_the_password(pg: Backend) -> None:
    import psycopg

    params = psycopg.conninfo.conninfo_to_dict(pg.url)
    socket = urllib.parse.quote(str(params["host"]), safe="")
    url = f"postgresql://{params['user']}:s3cret@/no_such_db_itil?host={socket}"
    with pytest.raises(StorageError) as caught:
        Register.open(url)
    assert "no_such_db_itil" in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("postgresql://a/b?nonsense=1",), "url"),
        (("postgresql://%zz/x",), "url"),
        (("",), "url"),
        (("postgresql:///x", "pool"), "pool_size"),
        (("postgresql:///x", "timeout"), "timeout"),
    ],
)
def test_bad_arguments_are_refused_before_connecting(args: tuple[str, ...], named: str) -> None:
    kwargs: dict[str, object] = {}
    if args[1:] == ("pool",):
        kwargs["pool_size"] = 0
    if args[1:] == ("timeout",):
        kwargs["timeout"] = -1
    with pytest.raises(InvalidInputError, match=rf"^{named}: expected"):
        PostgresStore(args[0], **kwargs)  # type: ignore[arg-type]


def test_pool_size_is_for_postgresql_only(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"^pool_size: expected None for a SQLite"):
        Register.open(tmp_path / "r.db", pool_size=4)


# --- the schema ---------------------------------------------------------------------------


def test_a_new_schema_has_its_version_and_the_types_of_postgresql(pg: Backend) -> None:
    Register.open(pg.url).close()
    assert pg.sql("SELECT application_id, schema_version FROM itil_ci_register") == [
        (0x49544349, SCHEMA_VERSION)
    ]
    types = dict(
        pg.sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = 'chunks'",
            (pg.schema,),
        )
    )
    assert types["times"] == types["vals"] == "bytea"
    assert types["t_min"] == types["checksum"] == "bigint"
    collations = pg.sql(
        "SELECT DISTINCT collation_name FROM information_schema.columns "
        "WHERE table_schema = ? AND data_type = 'text' AND table_name <> 'itil_ci_register'",
        (pg.schema,),
    )
    assert collations == [("C",)]  # ordering by code point, as SQLite and memory
    storage = pg.sql(
        "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = ?::regclass "
        "AND attname IN ('times', 'vals')",
        (f"{pg.schema}.chunks",),
    )
    assert sorted(storage) == [("times", "e"), ("vals", "e")]  # out of line, uncompressed


def test_a_newer_schema_is_refused_and_left_unchanged(pg: Backend) -> None:
    with Register.open(pg.url) as reg:
        reg.log(ic.Opportunity("keep me", id="o1"))
    pg.sql("UPDATE itil_ci_register SET schema_version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(StorageError, match=rf"schema version {SCHEMA_VERSION + 1}, newer"):
        Register.open(pg.url)
    assert pg.sql("SELECT schema_version FROM itil_ci_register") == [(SCHEMA_VERSION + 1,)]
    assert pg.sql("SELECT id FROM opportunities") == [("o1",)]


def test_a_schema_of_another_application_is_refused_and_left_unchanged(pg: Backend) -> None:
    pg.sql("CREATE TABLE customers (id integer PRIMARY KEY, name text)")
    pg.sql("INSERT INTO customers VALUES (1, 'Ada')")
    with pytest.raises(StorageError, match=r"not a register: schema .* holds 1 tables of another"):
        Register.open(pg.url)
    tables = pg.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", (pg.schema,)
    )
    assert tables == [("customers",)]
    pg.sql("DROP TABLE customers")
    pg.sql("CREATE TABLE itil_ci_register (application_id bigint, schema_version integer)")
    pg.sql("INSERT INTO itil_ci_register VALUES (42, 1)")
    with pytest.raises(StorageError, match="itil_ci_register was written by another application"):
        Register.open(pg.url)
    assert pg.sql("SELECT * FROM itil_ci_register") == [(42, 1)]


def test_an_older_schema_is_migrated_and_keeps_its_data(pg: Backend) -> None:
    with Register.open(pg.url) as reg:
        reg.log(ic.Opportunity("kept", id="o1"))
        reg.record("mttr", np.array([1, 2], dtype="datetime64[ns]"), [4.0, 5.0])
    for table in ("named_documents", "named_tables", "named_table_chunks"):
        pg.sql(f"DROP TABLE {table}")  # what version 3 had
    pg.sql("UPDATE itil_ci_register SET schema_version = 3")
    with Register.open(pg.url) as reg:
        assert reg.opportunity("o1").title == "kept"
        assert reg.series("mttr").values.tolist() == [4.0, 5.0]
        reg.store.replace_table("tickets", [b"x"], "{}")
        assert reg.store.table("tickets") == ("{}", [b"x"])
    assert pg.sql("SELECT schema_version FROM itil_ci_register") == [(SCHEMA_VERSION,)]


def test_processes_opening_a_new_database_at_once_create_it_once(pg: Backend) -> None:
    errors: list[BaseException] = []
    go = threading.Barrier(6)

    def open_one(n: int) -> None:
        try:
            go.wait()
            with Register.open(pg.url) as reg:
                reg.log(ic.Opportunity(f"from {n}", id=f"o{n}"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert pg.sql("SELECT count(*) FROM itil_ci_register") == [(1,)]
    assert pg.sql("SELECT count(*) FROM opportunities") == [(6,)]


# --- server trouble -----------------------------------------------------------------------


@pytest.fixture
def locked(pg: Backend) -> Iterator[tuple[Backend, ic.Initiative]]:
    """An initiative whose row another connection holds locked (``SELECT ... FOR UPDATE``)."""
    import psycopg

    with Register.open(pg.url) as reg:
        ini = reg.log(ic.Initiative("contended", id="i1", model="pdca"))
    with psycopg.connect(pg.url) as holder:  # not autocommit: the lock lasts until rollback
        holder.execute("SELECT id FROM initiatives WHERE id = 'i1' FOR UPDATE")
        yield pg, ini
        holder.rollback()


def test_a_statement_timeout_is_named_and_writes_nothing(
    locked: tuple[Backend, ic.Initiative],
) -> None:
    pg, ini = locked
    with Register.open(_options(pg.url, "statement_timeout=300")) as reg:
        ini.lessons = ["never stored"]
        with pytest.raises(StorageError, match="ran longer than the server's statement_timeout"):
            reg.update(ini)
        assert ini.version == 0
    assert pg.sql("SELECT version FROM initiatives") == [(0,)]


def test_a_lock_held_longer_than_the_timeout_is_named(
    locked: tuple[Backend, ic.Initiative],
) -> None:
    pg, ini = locked
    with (
        Register.open(pg.url, timeout=0.3) as reg,
        pytest.raises(StorageError, match=r"held a lock longer than 0\.3 s"),
    ):
        reg.update(ini)
    assert pg.sql("SELECT version FROM initiatives") == [(0,)]


def test_a_disk_full_error_of_the_server_rolls_the_transaction_back(pg: Backend) -> None:
    reg = Register.open(pg.url)
    reg.record("k", np.array([1], dtype="datetime64[ns]"), [1.0])
    # every further chunk is refused by the server as a full disk refuses it (SQLSTATE 53100)
    pg.sql(
        "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'could not extend file: No space left on device' "
        "USING ERRCODE = 'disk_full'; END $$"
    )
    pg.sql(
        "CREATE TRIGGER disk_is_full BEFORE INSERT ON chunks FOR EACH ROW "
        "EXECUTE FUNCTION full_disk()"
    )

    def log_and_record() -> None:
        with reg.transaction():
            reg.log(ic.Opportunity("written first", id="o1"))
            reg.record("k", np.array([2], dtype="datetime64[ns]"), [2.0])

    with pytest.raises(StorageError, match="the server's disk is full; nothing of this write"):
        log_and_record()
    assert reg.opportunities() == []  # the whole transaction is gone
    assert reg.series("k").values.tolist() == [1.0]
    reg.log(ic.Opportunity("after", id="o2"))  # the register goes on
    reg.close()


def _mount_small_disk(path: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        return False
    subprocess.run(["chown", "postgres:", str(path)], check=False)
    return True


def test_a_full_disk_on_the_server_writes_nothing_and_keeps_data(pg: Backend) -> None:
    # in /tmp: the server's user must reach it (pytest's own directories are private)
    disk = Path(tempfile.mkdtemp(prefix="itil-ci-small-disk-", dir="/tmp"))
    if not _mount_small_disk(disk):
        disk.rmdir()
        pytest.skip("needs root to mount a 2 MiB file system for a tablespace")
    space = f"full_{uuid.uuid4().hex[:8]}"
    try:
        pg.sql(f"CREATE TABLESPACE {space} LOCATION '{disk}'")
        url = _options(pg.url, f"default_tablespace={space}")
        reg = Register.open(url)  # the register's tables on the small disk
        reg.log(ic.Opportunity("before", id="o1"))
        reg.record("k", np.arange(1000).view("datetime64[ns]"), np.arange(1000.0))
        before = reg.export_json()
        big = np.arange(1_000_000).view("datetime64[ns]")

        def log_and_record() -> None:
            with reg.transaction():
                reg.log(ic.Opportunity("small", id="o2"))
                reg.record("k", big, np.ones(1_000_000))

        with pytest.raises(StorageError, match="the server's disk is full; nothing of this"):
            log_and_record()
        assert reg.export_json() == before  # nothing half-written, everything readable
        reg.close()
        with Register.open(url) as again:
            assert again.export_json() == before
    finally:
        pg.sql(f"DROP SCHEMA {pg.schema} CASCADE")
        pg.sql(f"CREATE SCHEMA {pg.schema}")
        pg.sql(f"DROP TABLESPACE IF EXISTS {space}")
        subprocess.run(["umount", str(disk)], check=False)
        disk.rmdir()


def test_a_server_restart_mid_transaction_is_named_and_a_retry_works(pg: Backend) -> None:
    reg = Register.open(pg.url)
    reg.log(ic.Opportunity("before", id="o0"))
    started = _started(pg)

    def interrupted() -> None:
        with reg.transaction():
            reg.log(ic.Opportunity("lost", id="o1"))
            restart_server()
            reg.log(ic.Opportunity("after the restart", id="o2"))

    with pytest.raises(StorageError, match="connection to the server was lost") as caught:
        interrupted()
    assert "nothing of this write was stored; retry" in str(caught.value)
    assert _started(pg) != started, "the server did not restart"
    # the same register, not opened again: the retry gets a new connection
    with reg.transaction():
        reg.log(ic.Opportunity("lost", id="o1"))
        reg.log(ic.Opportunity("after the restart", id="o2"))
    assert [o.id for o in reg.opportunities()] == ["o0", "o1", "o2"]
    reg.close()


def test_a_restart_between_calls_is_not_noticed(pg: Backend) -> None:
    reg = Register(PostgresStore(pg.url, pool_size=2))
    reg.log(ic.Opportunity("before", id="o0"))
    restart_server()
    reg.log(ic.Opportunity("after", id="o1"))  # a pooled connection is checked before use
    assert [o.id for o in reg.opportunities()] == ["o0", "o1"]
    reg.close()


def test_a_closed_register_says_so(pg: Backend) -> None:
    reg = Register.open(pg.url)
    reg.close()
    with pytest.raises(StorageError, match="the register is closed; open it again"):
        reg.opportunities()


def test_text_postgresql_cannot_hold_is_refused_and_writes_nothing(pg: Backend) -> None:
    with Register.open(pg.url) as reg:
        with pytest.raises(InvalidInputError, match="NUL character"):
            reg.log(ic.Opportunity("x", id="a\x00b"))
        t = np.array([1], dtype="datetime64[ns]")
        with pytest.raises(InvalidInputError, match="NUL character"):
            reg.record("k", t, [1.0], source="a\x00")
        assert reg.opportunities() == []
        assert len(reg.series("k")) == 0


# --- threads share one register through the pool ------------------------------------------


def test_more_threads_than_connections_share_one_register(pg: Backend) -> None:
    reg = Register.open(pg.url, pool_size=2)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(15):
                with reg.transaction():
                    reg.log(ic.Opportunity(f"t{n}-{i}", id=f"t{n}-{i:02d}"))
                    reg.record("k", np.array([n * 100 + i], dtype="datetime64[ns]"), [float(n)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(reg.opportunities()) == 120
    assert len(reg.series("k")) == 120
    reg.close()


# --- the command line and the package ------------------------------------------------------


def test_the_command_line_works_on_a_postgresql_register(
    pg: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    from itil_ci.cli import main

    for args in (
        ["init"],
        ["opportunity", "log", "Automate password resets", "--service", "email"],
    ):
        assert main(["--db", pg.url, *args]) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["--db", pg.url, "--json", "opportunity", "list"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [o["title"] for o in listed] == ["Automate password resets"]
    assert pg.sql("SELECT id, service FROM opportunities") == [(listed[0]["id"], "email")]
    down = main(["--db", "postgresql://itil@127.0.0.1:1/ci", "opportunity", "list"])
    assert down == 1
    assert "cannot connect to the server" in capsys.readouterr().err


def test_register_copy_command_moves_a_sqlite_register_to_postgresql(
    pg: Backend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from itil_ci.cli import main

    src = str(tmp_path / "a.sqlite")
    assert main(["--db", src, "opportunity", "log", "Automate resets", "--service", "email"]) == 0
    capsys.readouterr()
    assert main(["--json", "register", "copy", src, pg.url, "--replace"]) == 0
    assert json.loads(capsys.readouterr().out)["opportunities"] == 1
    assert [r[0] for r in pg.sql("SELECT service FROM opportunities")] == ["email"]


IMPORTS = r"""
import sys, tempfile, os
import itil_ci
from itil_ci.register import Register
assert "psycopg" not in sys.modules, "import itil_ci imported psycopg"
with Register.open(os.path.join(tempfile.mkdtemp(), "r.db")) as reg:
    reg.opportunities()
assert "psycopg" not in sys.modules, "a SQLite register imported psycopg"
sys.modules["psycopg"] = None  # as if the extra were not installed
try:
    Register.open("postgresql:///ci")
except ImportError as err:
    print(err)
"""


def test_psycopg_is_imported_only_for_a_postgresql_register() -> None:
    out = subprocess.run(
        [sys.executable, "-c", IMPORTS], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'itil-ci[postgres]'" in out


def test_the_url_form_of_a_schema_of_its_own(pg: Backend) -> None:
    # the documented way to keep a register in a schema of a shared database
    assert with_schema("postgresql:///ci", "ci") == "postgresql:///ci?options=-csearch_path%3Dci"
    with Register.open(pg.url) as reg:
        reg.log(ic.Opportunity("in its schema", id="o1"))
    assert pg.sql(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
        "AND table_name = 'opportunities'",
        (pg.schema,),
    ) == [(1,)]
