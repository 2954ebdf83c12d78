"""The cache as a Knative function (func-python): ``new()`` returns the instance."""

from function.func import CacheFunction, new

__all__ = ["CacheFunction", "new"]
