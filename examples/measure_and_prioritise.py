"""Measure a service's MTTR from tickets, chart it, and rank improvement ideas.

Run: python examples/measure_and_prioritise.py
"""

from __future__ import annotations

import itil_ci as ic
from itil_ci import measurement, prioritisation

tickets = ic.generate_tickets(20_000, seed=1)

# Daily MTTR of the e-mail service, and its individuals (XmR) chart.
email = tickets.select(tickets.service == "email")
daily = measurement.mttr(email.opened, email.resolved, period="day")
chart = measurement.xmr(daily.value[daily.count > 0], change_at=182)
print(
    f"MTTR centre before/after the change: "
    f"{chart.stages[0].centre:.1f} h -> {chart.stages[1].centre:.1f} h"
)

# The categories behind most incidents (the vital few).
causes = measurement.pareto(tickets.category)
print("vital few categories:", ", ".join(causes.vital_few[:5]))

# Three ideas, ranked by a weighted sum of benefit and effort.
ideas = [
    ic.Opportunity("Known-error articles for e-mail", expected_benefit=8, effort=3),
    ic.Opportunity("Self-service password reset", expected_benefit=6, effort=5),
    ic.Opportunity("Automated VPN diagnostics", expected_benefit=5, effort=2),
]
criteria = [prioritisation.Criterion("benefit", 2), prioritisation.Criterion("effort", 1, "cost")]
ranking = prioritisation.weighted_sum(ideas, criteria, keys={"benefit": "expected_benefit"})
titles = {o.id: o.title for o in ideas}
for rank, oid in enumerate(ranking.order, start=1):
    print(f"{rank}. {titles[oid]} ({ranking.score_of(oid):.2f})")
