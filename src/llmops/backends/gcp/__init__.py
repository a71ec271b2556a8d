"""The gcp backends."""
