"""Monitoring in production: the fast local prediction log (`store`), the GoogleSQL figures
that run unchanged on DuckDB and BigQuery (`queries`), drift tests (`drift`), threshold checks
(`checks`) and the self-contained HTML report (`report`, `svg`)."""
