"""The emulator: local stand-ins (engines) for BigQuery, GCS and Vertex AI, and an HTTP server
that speaks Google's REST APIs over them."""
