"""The actions as a Knative function (func-python): ``new()`` returns the instance."""

from function.func import ActionsFunction, new

__all__ = ["ActionsFunction", "new"]
