"""Server-rendered pages (templates + htmx + ECharts)."""
