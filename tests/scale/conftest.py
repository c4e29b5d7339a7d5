"""Fixtures for the Dask forms: a two-worker local cluster (worker threads).

The workers are threads (``processes=False``) so that starting the cluster
costs well under a second; ``test_processes.py`` runs one smoke test with
worker processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="package")
def client() -> Iterator[Any]:
    """A ``distributed.Client`` on ``LocalCluster(n_workers=2, processes=False)``."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c
