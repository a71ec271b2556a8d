"""The local backends."""
