"""What an export adds beside ``serving_default``: the :class:`Endpoint` protocol.

The export's core (:func:`seqkit.serving.export`) writes ``serving_default``, its warmup
records and metadata, checks and publishes the version. Everything else is an endpoint:
``serving_step`` (:class:`seqkit.serving.step_export.StepEndpoint`), ``serving_trace``
(:class:`seqkit.serving.trace_export.TraceEndpoint`) and the LiteRT file
(:class:`seqkit.serving.litert.LitertEndpoint`). The core calls every enabled endpoint at
each stage, in this order:

1. :meth:`Endpoint.functions`: signatures traced into the SavedModel beside
   ``serving_default`` (:func:`seqkit.serving.portable.write_saved_model`), then
   :meth:`Endpoint.check` on the traced functions (an optional endpoint whose check fails
   is declined with the reason, and the SavedModel is written without it);
2. :meth:`Endpoint.warmup_records`: records for ``tf_serving_warmup_requests``;
3. :meth:`Endpoint.verify`: checks on the reloaded folder (a failure is an ``ExportError``);
4. :meth:`Endpoint.write_files`: further files inside the version (before publishing);
5. :meth:`Endpoint.metadata`: its entry of ``seqkit_export.json`` and ``ExportInfo``.

Every method has a no-op default, so an endpoint writes only the stages it takes part in.
"""

from __future__ import annotations


class Endpoint:
    """One optional part of an export; subclasses override the stages they take part in.

    Attributes:
        key: its entry in ``seqkit_export.json`` (``"streaming"``, ``"trace"``, ``"litert"``).
        optional: a failure while tracing or in :meth:`check` declines the endpoint (with
            the reason, the export goes on) instead of failing the export.
        label: how a failure names it (``"the <label> function failed: ..."``).

    Example:

    >>> class Hello(Endpoint):
    ...     key = "hello"
    ...     def metadata(self):
    ...         return {"available": True}
    >>> ep = Hello()
    >>> ep.functions(), ep.warmup_records([], (1,), 10), ep.metadata()
    ([], {}, {'available': True})
    """

    key = ""
    optional = False
    label = "endpoint"

    def functions(self) -> list:
        """The signatures to trace beside ``serving_default``.

        Returns:
            ``[(signature name, function, input specs)]`` (default: none).

        Example:

        >>> Endpoint().functions()
        []
        """
        return []

    def check(self, traced: list, default, sample: dict) -> str | None:
        """Why the traced functions must not be written (``None``: keep them).

        Args:
            traced: the traced functions, in :meth:`functions` order.
            default: ``serving_default``'s traced function.
            sample: ``{input name: array}`` (the export's reload sample).

        Returns:
            ``None`` (default), or the reason (then :meth:`decline` is called).

        Example:

        >>> Endpoint().check([], None, {}) is None
        True
        """
        return None

    def decline(self, reason: str) -> None:
        """Drop this endpoint's signatures, keeping why (default: nothing to drop).

        Args:
            reason: the sentence for the metadata.

        Example:

        >>> Endpoint().decline("not today")
        """

    def warmup_records(self, batches: list, batch_sizes, room: int) -> dict:
        """Warmup records for this endpoint's signatures.

        Args:
            batches: ``serving_default``'s warmup batches.
            batch_sizes: the export's warmup batch sizes.
            room: records the file still has room for (TF Serving reads 1000).

        Returns:
            ``{signature name: [feeds]}`` (default: none).

        Example:

        >>> Endpoint().warmup_records([], (1, 8), 1000)
        {}
        """
        return {}

    def verify(self, folder, sample: dict, check_warmup: bool) -> None:
        """Check the written (not yet published) folder after reload.

        Args:
            folder: the temporary version folder.
            sample: ``{input name: array}``.
            check_warmup: the warmup records were written and are replayed too.

        Raises:
            ExportError: a check failed (nothing is published then).

        Example:

        >>> Endpoint().verify("unused", {}, False)
        """

    def write_files(self, folder, sample: dict) -> None:
        """Write further files into the verified version folder (default: none).

        Args:
            folder: the temporary version folder.
            sample: ``{input name: array}``.

        Example:

        >>> Endpoint().write_files("unused", {})
        """

    def metadata(self) -> dict | None:
        """This endpoint's entry of ``seqkit_export.json`` (``None``: no entry).

        Returns:
            A JSON-able dict, or ``None`` (default).

        Example:

        >>> Endpoint().metadata() is None
        True
        """
        return None
