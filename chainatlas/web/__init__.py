"""Web UI: server-rendered Jinja2 pages (one template per page) over the same query
functions as the REST API, with ECharts from npm for charts."""
