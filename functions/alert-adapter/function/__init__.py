"""The Alertmanager adapter as a Knative function (func-python): ``new()`` returns it."""

from function.func import AlertAdapter, new

__all__ = ["AlertAdapter", "new"]
