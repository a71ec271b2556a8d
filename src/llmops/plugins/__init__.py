"""llmops.plugins."""
