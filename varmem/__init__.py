"""varmem: the algebra of variable memories and the tools to look for it in trained RNNs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("varmem")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
