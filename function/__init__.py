"""The gateway as a Knative function (func-python): ``new()`` returns the instance."""

from function.func import Gateway, new

__all__ = ["Gateway", "new"]
