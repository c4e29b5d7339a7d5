"""A listener that raises cannot make an applied move look failed."""

from __future__ import annotations

import logging

import pytest

from itil_ci.domain import Actor, AuditRecord, Initiative, Prediction
from itil_ci.engines import start, verify_history

MANAGER = Actor("mia", roles=["continual-improvement-manager"])


class _Broken:
    def on_step_changed(self, initiative: Initiative, record: AuditRecord) -> None:
        raise RuntimeError("mail server down")


def test_raising_listener_is_logged_and_the_move_stands(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    ini = Initiative(title="x")
    engine = start(ini, "pdca", actor=MANAGER)
    engine.add_listener(lambda i, r: seen.append(f"before:{r.to_step}"))
    engine.add_listener(_Broken())
    engine.add_listener(lambda i, r: seen.append(f"after:{r.to_step}"))
    with caplog.at_level(logging.ERROR, logger="itil_ci.engines"):
        record = engine.advance(
            actor=MANAGER, objective="o", prediction=Prediction("calls", -10, direction="lower")
        )
    # The move is applied and audited.
    assert engine.step == "do"
    assert ini.history[-1] == record
    assert ini.history[-1].to_step == "do"
    assert verify_history(ini).ok
    # Listeners before and after the broken one both ran.
    assert seen == ["before:do", "after:do"]
    # The error is logged with its traceback on the engines' logger.
    errors = [r for r in caplog.records if r.name == "itil_ci.engines"]
    assert len(errors) == 1
    assert errors[0].levelno == logging.ERROR
    assert errors[0].exc_info is not None
    assert "mail server down" in str(errors[0].exc_info[1])
    assert "the move stands" in errors[0].getMessage()


def test_raising_callable_listener_on_close(caplog: pytest.LogCaptureFixture) -> None:
    def boom(initiative: Initiative, record: AuditRecord) -> None:
        raise ValueError("boom")

    ini = Initiative(title="x")
    with caplog.at_level(logging.ERROR, logger="itil_ci.engines"):
        engine = start(ini, "pdca", listeners=[boom])  # begin() notifies too
        engine.close(actor=MANAGER, outcome="withdrawn")
    assert engine.closed
    assert [r.to_step for r in ini.history] == ["plan", "closed"]
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert [e.args for e in logged if e is not None] == [("boom",), ("boom",)]
