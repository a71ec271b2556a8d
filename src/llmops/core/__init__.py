"""Backend-neutral core: what the workflow is."""
