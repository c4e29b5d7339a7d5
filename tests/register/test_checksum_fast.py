"""The register's CRC-32 is the same number with or without the ``fast`` extra.

``register/_checksum.crc32`` uses zlib-ng's CRC-32 when the optional
``zlib-ng`` package is installed (``itil-ci[fast]``) and the standard
library's otherwise.  Stored checksums must not depend on which one wrote
them: the expected values here are the standard library's ``zlib.crc32``
(the reference CRC-32 of gzip and PNG), computed in the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itil_ci.register import Register, _checksum


def _zlib_ng() -> object:
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must test the fast extra: zlib-ng is not installed", pytrace=False)
        pytest.skip("zlib-ng is not installed (pip install 'itil-ci[fast]')")
    return zlib_ng


def test_the_fast_extra_is_used_when_installed() -> None:
    zlib_ng = _zlib_ng()
    assert _checksum._implementation() is zlib_ng.crc32  # type: ignore[attr-defined]


@given(st.binary(max_size=5000), st.integers(0, 2**32 - 1))
def test_same_crc_as_the_standard_library(data: bytes, start: int) -> None:
    _zlib_ng()
    # zlib.crc32 is the reference; a continued CRC is the CRC of the concatenation.
    assert _checksum.crc32(data, start) == zlib.crc32(data, start)


def test_same_crc_for_arrays_and_long_buffers() -> None:
    _zlib_ng()
    rng = np.random.default_rng(3)
    for n in (0, 1, 7, 8, 65_536, 1_000_003):
        a = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
        assert _checksum.crc32(a) == zlib.crc32(a.tobytes())
        assert _checksum.crc32(memoryview(a.tobytes())) == zlib.crc32(a)


def test_a_file_written_without_the_extra_reads_with_it(tmp_path: Path) -> None:
    _zlib_ng()
    path = tmp_path / "r.sqlite"
    # Write the register in a child process where zlib-ng cannot be imported, then read
    # it here (zlib-ng in use): the stored CRC-32s must verify.
    script = (
        "import sys; sys.modules['zlib_ng'] = None\n"
        "import numpy as np\n"
        "import itil_ci\n"
        "from itil_ci.register import Register, _checksum\n"
        "import zlib\n"
        "assert _checksum._implementation() is zlib.crc32\n"
        "t = np.arange(100_000).astype('datetime64[s]').astype('datetime64[ns]')\n"
        f"with Register.open({str(path)!r}) as reg:\n"
        "    reg.record('mttr', t, np.arange(100_000) / 7.0, dims={'team': ['a', 'b'] * 50_000})\n"
        "    reg.log(itil_ci.Opportunity('Automate resets', id='o1', service='mail'))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    with Register.open(path) as reg:
        s = reg.series("mttr", filters={"team": "b"})
        assert len(s) == 50_000
        assert np.array_equal(s.values, np.arange(1, 100_000, 2) / 7.0)
        assert reg.opportunity("o1").title == "Automate resets"


def test_import_itil_ci_does_not_load_zlib_ng() -> None:
    code = (
        "import sys, itil_ci, itil_ci.register\n"
        "assert 'zlib_ng' not in sys.modules, 'import itil_ci imported zlib_ng'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
