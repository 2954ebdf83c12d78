"""The reindex function as a Knative function (func-python): ``new()`` returns it."""

from function.func import ReindexFunction, new

__all__ = ["ReindexFunction", "new"]
