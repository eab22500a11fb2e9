"""Chart dates are written in the staff's language (the switch itself, with chosen filters and select options
following it, is tested in a real browser: test_language_switch_browser.py)."""

from __future__ import annotations

import json

from dashboard import state


def test_chart_dates_are_written_in_the_staff_language(open_as):
    at = open_as("analyst", "views/analytics.py")

    def sales_axis():
        specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
        [sales] = [s for s in specs if s["layout"]["meta"] == "analytics.sales_by_day"]
        return sales["layout"]["xaxis"]["tickformat"], sales["layout"]["xaxis"]["hoverformat"]

    assert sales_axis() == ("%-m月%-d日", "%Y年%-m月%-d日")
    at.session_state[state.LANG] = "en"
    at.run()
    assert sales_axis() == ("%b %-d", "%b %-d, %Y")
