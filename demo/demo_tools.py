"""Tools used by the demo agents. All deterministic and side-effect free."""

from __future__ import annotations

import json
import re
from typing import Any, Dict

from agno.tools import tool

# ---------------------------------------------------------------------------
# Backend tools
# ---------------------------------------------------------------------------

_CONDITIONS = ["sunny", "cloudy", "rainy", "windy", "foggy", "snowy"]


def get_weather(city: str) -> str:
    """Get the current weather for a city.

    Args:
        city: Name of the city.
    """
    if "fail" in city.lower():
        raise RuntimeError(f"weather service unavailable for {city}")
    if city.strip().lower() == "paris":
        return "It is sunny and 21C in Paris"
    seed = sum(ord(c) for c in city.lower())
    condition = _CONDITIONS[seed % len(_CONDITIONS)]
    temperature = (seed % 35) - 5
    return f"It is {condition} and {temperature}C in {city}"


# ---------------------------------------------------------------------------
# Human-in-the-loop tools
# ---------------------------------------------------------------------------


@tool(requires_confirmation=True)
def delete_file(path: str) -> str:
    """Delete a file (needs user confirmation). Nothing is actually deleted in the demo.

    Args:
        path: Path of the file to delete.
    """
    return f"deleted {path}"


@tool(requires_user_input=True, user_input_fields=["date", "travellers"])
def book_trip(destination: str, date: str, travellers: int) -> str:
    """Book a trip (asks the user for the date and the number of travellers).

    Args:
        destination: City to travel to.
        date: Departure date, e.g. 2026-12-24.
        travellers: Number of travellers.
    """
    try:
        n = int(travellers)
    except (TypeError, ValueError):
        n = travellers  # type: ignore[assignment]
    plural = "" if n == 1 else "s"
    return f"booked a trip to {destination} on {date} for {n} traveller{plural}"


# External execution tools: the server never runs these; the client executes them
# and sends the result back through /continue.


@tool(external_execution=True)
def run_shell(command: str) -> str:
    """Run a shell command on the user's machine (executed externally by the client).

    Args:
        command: The command line to run.
    """
    raise RuntimeError("run_shell is executed by the client")


@tool(external_execution=True)
def get_browser_locale() -> str:
    """Get the user's browser locale and time zone (executed by the frontend)."""
    raise RuntimeError("get_browser_locale is executed by the client")


@tool(external_execution=True)
def render_chart(title: str, data: str) -> str:
    """Render a chart in the user's browser (executed by the frontend).

    Args:
        title: Chart title.
        data: JSON array of rows, e.g. [{"day": "Mon", "visitors": 120}].
    """
    raise RuntimeError("render_chart is executed by the client")


@tool(external_execution=True)
def navigate(path: str) -> str:
    """Navigate the user's browser to a path of the app (executed by the frontend).

    Args:
        path: App path, e.g. /settings.
    """
    raise RuntimeError("navigate is executed by the client")


# ---------------------------------------------------------------------------
# Generative UI tools (backend tools returning {"data": ..., "ui": <spec>})
# ---------------------------------------------------------------------------

_REVENUE = [
    {"quarter": "Q1", "revenue": 120, "costs": 80},
    {"quarter": "Q2", "revenue": 150, "costs": 95},
    {"quarter": "Q3", "revenue": 170, "costs": 100},
    {"quarter": "Q4", "revenue": 210, "costs": 120},
]


def _genui(data: Any, ui: Dict[str, Any]) -> str:
    return json.dumps({"data": data, "ui": ui})


def show_chart(topic: str, kind: str = "bar") -> str:
    """Show a chart of quarterly revenue and costs as a generative-UI component.

    Args:
        topic: What the user asked for.
        kind: bar, line or pie.
    """
    kind = (kind or "bar").lower()
    if kind == "pie":
        data = [{"quarter": r["quarter"], "revenue": r["revenue"]} for r in _REVENUE]
        ui = {
            "type": "chart",
            "component": "PieChart",
            "layout": "inline",
            "title": "Revenue share by quarter",
            "description": "Share of yearly revenue per quarter (kUSD)",
            "props": {
                "data": data,
                "pie": {"dataKey": "revenue", "nameKey": "quarter", "label": True},
                "height": 300,
                "showLegend": True,
                "showTooltip": True,
            },
        }
        return _genui(data, ui)
    component = "LineChart" if kind == "line" else "BarChart"
    series_key = "lines" if kind == "line" else "bars"
    ui = {
        "type": "chart",
        "component": component,
        "layout": "inline",
        "title": "Quarterly revenue",
        "description": "Revenue and costs per quarter (kUSD)",
        "props": {
            "data": _REVENUE,
            "xKey": "quarter",
            "yKeys": ["revenue", "costs"],
            series_key: [
                {"key": "revenue", "label": "Revenue", "color": "#4f46e5"},
                {"key": "costs", "label": "Costs", "color": "#f59e0b"},
            ],
            "height": 300,
            "showLegend": True,
            "showGrid": True,
            "showTooltip": True,
        },
    }
    return _genui(_REVENUE, ui)


def show_table(topic: str) -> str:
    """Show a table of cities as a generative-UI component.

    Args:
        topic: What the user asked for.
    """
    data = [
        {"city": "Paris", "country": "France", "population": 2.1, "growth": 0.004, "status": "stable", "url": "https://en.wikipedia.org/wiki/Paris", "updated": "2026-11-01"},
        {"city": "Lisbon", "country": "Portugal", "population": 0.55, "growth": 0.012, "status": "growing", "url": "https://en.wikipedia.org/wiki/Lisbon", "updated": "2026-10-15"},
        {"city": "Oslo", "country": "Norway", "population": 0.71, "growth": 0.015, "status": "growing", "url": "https://en.wikipedia.org/wiki/Oslo", "updated": "2026-09-30"},
        {"city": "Rome", "country": "Italy", "population": 2.8, "growth": -0.002, "status": "shrinking", "url": "https://en.wikipedia.org/wiki/Rome", "updated": "2026-08-02"},
    ]
    ui = {
        "type": "table",
        "layout": "inline",
        "title": "European cities",
        "description": "Population in millions and yearly growth",
        "props": {
            "data": data,
            "columns": [
                {"key": "city", "header": "City", "sortable": True},
                {"key": "country", "header": "Country", "sortable": True},
                {"key": "population", "header": "Population (M)", "cellType": "number", "sortable": True, "format": {"type": "decimal"}},
                {"key": "growth", "header": "Growth", "cellType": "number", "format": {"type": "percent"}},
                {"key": "status", "header": "Status", "cellType": "badge"},
                {"key": "url", "header": "Link", "cellType": "link"},
                {"key": "updated", "header": "Updated", "cellType": "date"},
            ],
            "sortable": True,
            "density": "comfortable",
        },
    }
    # "locale X" in the request formats the population in locale X, whatever X is: the
    # front end must refuse a malformed one with the spec's error box.
    locale = re.search(r"\blocale\s+(\S+)", topic)
    if locale:
        ui["props"]["columns"][2]["format"]["locale"] = locale.group(1)
    return _genui(data, ui)


def show_cards(topic: str) -> str:
    """Show a grid of cards as a generative-UI component.

    Args:
        topic: What the user asked for.
    """
    cards = [
        {"id": "echo", "title": "Echo Agent", "description": "Streams back what you said.", "metadata": {"tools": 0}, "actions": [{"label": "Open", "variant": "default"}]},
        {"id": "weather", "title": "Weather Agent", "description": "Calls get_weather and reports.", "metadata": {"tools": 1}, "actions": [{"label": "Open", "variant": "default"}]},
        {"id": "confirm", "title": "Confirm Agent", "description": "Asks before deleting files.", "metadata": {"tools": 1, "hitl": "confirmation"}, "actions": [{"label": "Open", "variant": "outline"}]},
    ]
    ui = {
        "type": "card-grid",
        "layout": "inline",
        "title": "Demo agents",
        "description": "A few of the agents in this demo",
        "props": {"cards": cards, "columns": {"default": 1, "md": 2, "lg": 3}, "variant": "bordered"},
    }
    return _genui([{"id": c["id"], "title": c["title"]} for c in cards], ui)


def show_report(topic: str) -> str:
    """Show a report (an artifact of nested specs) in the side panel.

    Args:
        topic: What the user asked for.
    """
    ui = {
        "type": "artifact",
        "layout": "artifact",
        "title": "Yearly report",
        "props": {
            "content": [
                {"type": "markdown", "props": {"content": "## Summary\n\nRevenue grew **75%** over the year."}},
                {
                    "type": "chart",
                    "component": "AreaChart",
                    "title": "Revenue",
                    "props": {"data": _REVENUE, "xKey": "quarter", "areas": [{"key": "revenue", "label": "Revenue"}]},
                },
                {"type": "custom", "renderKey": "metric", "props": {"label": "Yearly revenue", "value": 650, "unit": "kUSD"}},
            ]
        },
    }
    return _genui({"revenue": 650}, ui)


def show_broken(topic: str) -> str:
    """Return a generative-UI spec that is invalid (a chart without data), for tests.

    Args:
        topic: What the user asked for.
    """
    return _genui({}, {"type": "chart", "component": "BarChart", "title": "Broken", "props": {"xKey": "quarter"}})


def show_unsafe(topic: str) -> str:
    """Return cards and a table whose URLs try to run script, for tests.

    Args:
        topic: What the user asked for.
    """
    ui = {
        "type": "artifact",
        "props": {
            "content": [
                {
                    "type": "card-grid",
                    "title": "Unsafe cards",
                    "props": {
                        "cards": [
                            {"id": "x", "title": "<img src=x onerror=\"window.__genuiXss=1\">", "image": "javascript:window.__genuiXss=2"},
                            {"id": "y", "title": "Data image", "image": "data:image/svg+xml,<svg onload=window.__genuiXss=3>"},
                        ]
                    },
                },
                {
                    "type": "table",
                    "props": {
                        "data": [{"name": "click me", "url": "javascript:window.__genuiXss=4"}],
                        "columns": [{"key": "name", "header": "Name"}, {"key": "url", "header": "Link", "cellType": "link"}],
                    },
                },
                {"type": "markdown", "props": {"content": "[link](javascript:window.__genuiXss=5) <script>window.__genuiXss=6</script>"}},
            ]
        },
    }
    return _genui({}, ui)

