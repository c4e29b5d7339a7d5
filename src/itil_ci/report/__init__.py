"""Reports people want to read: one self-contained HTML file, or Markdown.

Build a :class:`ReportData` (from a register with :func:`report_from_register`,
or from objects with :func:`build_report`), then render it with
:func:`render_html` or :func:`render_markdown`, or write it with
:func:`write_report`.  Both lead with a KPI summary in the style of NHS
England's *Making Data Count* (:func:`summaries`: latest value, target,
variation and assurance of each KPI).  Charts are drawn with matplotlib when the ``plot`` extra
is installed; without it the report says so and shows tables.  See
``docs/reports.md``.

Examples:
    >>> from itil_ci.domain import Opportunity
    >>> data = build_report(opportunities=[Opportunity("Automate password resets")])
    >>> "Automate password resets" in render_html(data)
    True
"""

from itil_ci.report.build import (
    MAX_CHART_POINTS,
    build_report,
    diagrams_of,
    report_from_register,
    write_report,
)
from itil_ci.report.data import (
    ComparisonPanel,
    ControlChartPanel,
    KPIPanel,
    ParetoPanel,
    ReportData,
)
from itil_ci.report.html import render_html
from itil_ci.report.markdown import render_markdown
from itil_ci.report.summary import (
    Assurance,
    KPISummary,
    Variation,
    summaries,
    summarise,
    weekly_means,
)

__all__ = [
    "MAX_CHART_POINTS",
    "Assurance",
    "ComparisonPanel",
    "ControlChartPanel",
    "KPIPanel",
    "KPISummary",
    "ParetoPanel",
    "ReportData",
    "Variation",
    "build_report",
    "diagrams_of",
    "render_html",
    "render_markdown",
    "report_from_register",
    "summaries",
    "summarise",
    "weekly_means",
    "write_report",
]
