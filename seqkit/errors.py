"""Error types raised by seqkit.

Every error subclasses ``ValueError`` (bad input) or ``RuntimeError`` (environment), so
callers that already catch those keep working, and each message names the bad value and
what was expected.
"""


class SeqkitError(Exception):
    """Base class of every error seqkit raises on purpose."""


class ConfigError(SeqkitError, ValueError):
    """An option or a combination of options is invalid."""


class DataError(SeqkitError, ValueError):
    """Input data is malformed: wrong rank/dtype, NaN, too short, empty texts, ..."""


class DatasetUnavailableError(SeqkitError, RuntimeError):
    """A named dataset cannot be loaded here (typically: offline and not prepared)."""


class ExportError(SeqkitError, RuntimeError):
    """An export could not be written or failed validation; nothing was published."""
