"""Evaluation metrics: fast n-gram scores, model-based judges and gates."""
