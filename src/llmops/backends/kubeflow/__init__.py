"""The kubeflow backends."""
