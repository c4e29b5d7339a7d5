"""A role table with an unknown role names the accepted roles."""

from __future__ import annotations

import pytest

from itil_ci.engines import RoleRule
from itil_ci.errors import InvalidInputError


def test_unknown_role_lists_the_accepted_ones() -> None:
    with pytest.raises(
        InvalidInputError,
        match=r"RoleRule.roles\[1\]: expected one of "
        r"'continual-improvement-manager'.*got 'boss'",
    ):
        RoleRule(roles=["service-owner", "boss"])
