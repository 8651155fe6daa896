"""``serving_step`` inside an export: traced beside ``serving_default``, checked against the
full call before anything is written, verified after reload, warmed up, described.

:func:`seqkit.serving.export` calls :func:`prepare_step` (the plan,
:func:`seqkit.serving.step.plan_step`) and then the stages of :class:`StepEndpoint` (the
export's :class:`~seqkit.serving.endpoint.Endpoint` for this signature): its function is
traced into the SavedModel beside ``serving_default`` and checked there (a step function
that fails or differs from the full call is dropped, with the reason);
:func:`step_warmup_batches` gives its records for ``tf_serving_warmup_requests`` (by
default; ``export(..., step_warmup=False)`` leaves them out); :func:`verify_step` checks
the reloaded folder (streamed in one chunk and in two equals ``serving_default``; warmup
replay); :meth:`StepSignature.metadata` is the ``streaming`` entry of
``seqkit_export.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from seqkit.errors import ExportError
from seqkit.serving import inputs as inputs_lib
from seqkit.serving import warmup as warmup_lib
from seqkit.serving.endpoint import Endpoint
from seqkit.serving.signature import SIGNATURE_NAME, dtype_name
from seqkit.serving.step import (
    STEP_SIGNATURE_NAME,
    StepPlan,
    plan_step,
    step_function,
    step_input_specs,
)
from seqkit.serving.verify import compare_outputs

STEP_WARMUP_STEPS = (1, 8)  # k of the step warmup records, at every warmup batch size


@dataclass
class StepSignature:
    """``serving_step`` of one export: its plan, inputs, function and, once verified, outputs.

    Attributes:
        plan: the :class:`~seqkit.serving.step.StepPlan`.
        specs: the signature's input specs (``None`` when declined).
        function: the traced function (``None`` when declined).
        outputs: the reloaded signature's output specs (after :func:`verify_step`).
        warmup_records: step records written to the warmup file.

    Example:

    >>> step = StepSignature(StepPlan.declined("no recurrent layer"))
    >>> step.available, step.metadata()
    (False, {'available': False, 'reason': 'no recurrent layer'})
    """

    plan: StepPlan
    specs: dict | None = None
    function: object = field(default=None, repr=False)
    outputs: dict = field(default_factory=dict)
    warmup_records: int = 0

    @property
    def available(self) -> bool:
        """Whether the export has ``serving_step`` (``plan.available``)."""
        return self.plan.available

    def declined(self, reason: str) -> StepSignature:
        """The same export without ``serving_step``.

        Args:
            reason: why (it goes into the metadata).

        Returns:
            A declined :class:`StepSignature`.

        Example:

        >>> StepSignature(StepPlan(True)).declined("self-check failed").plan.reason
        'self-check failed'
        """
        return StepSignature(StepPlan.declined(reason))

    def metadata(self) -> dict:
        """The ``streaming`` metadata entry: the plan, the inputs and outputs, warmup records.

        Returns:
            A JSON-able dict (``{"available": False, "reason"}`` when declined).

        Example:

        >>> StepSignature(StepPlan.declined("no recurrent layer")).metadata()["reason"]
        'no recurrent layer'
        """
        entry = self.plan.to_dict()
        if self.available:
            entry.update(inputs=self.specs, outputs=self.outputs,
                         warmup_records=self.warmup_records)
        return entry


def prepare_step(model, specs: dict, naming, enabled: bool = True) -> StepSignature:
    """The step signature of an export, or why it has none.

    Args:
        model: the exported ``keras.Model``.
        specs: ``serving_default``'s input specs.
        naming: ``serving_default``'s :class:`~seqkit.serving.naming.OutputNaming`.
        enabled: ``export(..., step_signature=...)``.

    Returns:
        A :class:`StepSignature` (declined ones carry the reason).

    Example:

    >>> import keras
    >>> from seqkit.serving.naming import OutputNaming
    >>> from seqkit.serving.signature import input_specs
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.LSTM(2)(inp))
    >>> step = prepare_step(model, input_specs(model), OutputNaming(model, "generic", None))
    >>> step.available, list(step.specs)
    (True, ['sequence', 'rnn_0_h', 'rnn_0_c'])
    >>> prepare_step(model, input_specs(model), None, enabled=False).plan.reason
    'not asked for (export(..., step_signature=False))'
    """
    if not enabled:
        return StepSignature(StepPlan.declined(
            "not asked for (export(..., step_signature=False))"))
    plan = plan_step(model)
    if not plan.available:
        return StepSignature(plan)
    if {s.name for s in plan.states} & set(naming.expected() or []):
        return StepSignature(StepPlan.declined(
            "output names clash with the state names (rnn_<i>_h, rnn_<i>_c)"))
    return StepSignature(plan, step_input_specs(plan, specs), step_function(plan, naming))


def _stream(call, step: StepSignature, sample: dict, splits) -> dict:
    """Feed ``sample``'s sequence through ``call`` in chunks, from zero states.

    Args:
        call: ``feeds -> {name: tensor}`` (a step function or a loaded signature).
        step: the :class:`StepSignature`.
        sample: ``{input name: array}`` with the full sequence.
        splits: the chunk boundaries (e.g. ``[3]`` gives steps ``[:3]`` and ``[3:]``).

    Returns:
        The last call's outputs as arrays.
    """
    plan = step.plan
    x = np.asarray(sample[plan.sequence_input])
    extra = {name: sample[name] for name in plan.extra_inputs}
    states = {s.name: np.zeros((len(x), s.units), "float32") for s in plan.states}
    bounds = [0, *[b for b in splits if 0 < b < x.shape[1]], x.shape[1]]
    out = {}
    for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
        out = {k: np.asarray(v) for k, v in
               call({plan.sequence_input: x[:, start:stop], **extra, **states}).items()}
        states = {s.name: out[s.name] for s in plan.states}
    return out


def _compare(want: dict, got: dict, where: str):
    want = {key: np.asarray(value) for key, value in want.items()}
    want = {key: value[:, -1] if key in got and value.ndim == np.ndim(got[key]) + 1
            else value for key, value in want.items()}  # a per-step output: the last step
    check = compare_outputs(want, got, "step")
    if not check.ok:
        raise ExportError(f"{where} vs {SIGNATURE_NAME}: {check.problems[0]}")


def _check_step(function, default, step: StepSignature, sample: dict) -> str | None:
    """Why the step function differs from ``serving_default`` on ``sample``, or ``None``.

    Args:
        function: the step function (called with one dict).
        default: ``serving_default``'s function (called with one dict).
        step: the :class:`StepSignature`.
        sample: ``{input name: array}``.

    Returns:
        ``None`` when streaming in one chunk and in two gives the full call's outputs
        (:func:`seqkit.serving.verify.compare_outputs`, ``TOLERANCES["step"]``), else the reason.
    """
    feeds = {k: np.asarray(v) for k, v in sample.items()}
    want = {k: np.asarray(v) for k, v in default(feeds).items()}
    half = np.asarray(sample[step.plan.sequence_input]).shape[1] // 2
    try:
        for splits in ([], [half]):
            _compare(want, _stream(function, step, sample, splits), STEP_SIGNATURE_NAME)
    except ExportError as err:
        return f"self-check failed, so no step signature was written: {err}"
    return None


def step_warmup_batches(step: StepSignature, batch_sizes, steps=STEP_WARMUP_STEPS) -> list:
    """Warmup inputs for ``serving_step``: each batch size × k new steps, zero states.

    Args:
        step: an available :class:`StepSignature`.
        batch_sizes: the export's warmup batch sizes.
        steps: the numbers of new steps.

    Returns:
        ``{input name: array}`` per record.

    Example:

    >>> import keras
    >>> from seqkit.serving.naming import OutputNaming
    >>> from seqkit.serving.signature import input_specs
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.LSTM(2)(inp))
    >>> step = prepare_step(model, input_specs(model), OutputNaming(model, "generic", None))
    >>> [{k: v.shape for k, v in b.items()} for b in step_warmup_batches(step, [4], [1])]
    [{'sequence': (4, 1, 3), 'rnn_0_h': (4, 2), 'rnn_0_c': (4, 2)}]
    """
    plan = step.plan
    data_specs = {k: v for k, v in step.specs.items()
                  if k in (plan.sequence_input, *plan.extra_inputs)}
    batches = []
    for i, b in enumerate(batch_sizes):
        for j, k in enumerate(steps):
            batch = inputs_lib.synthetic_batch(data_specs, int(b), int(k), seed=200 + 10 * i + j)
            batch.update({s.name: np.zeros((int(b), s.units), "float32") for s in plan.states})
            batches.append(batch)
    return batches


def verify_step(folder, step: StepSignature, sample: dict, check_warmup: bool) -> StepSignature:
    """Reload ``folder`` and check ``serving_step`` against the reloaded ``serving_default``.

    Args:
        folder: the written (not yet published) version folder.
        step: the :class:`StepSignature` written.
        sample: ``{input name: array}``.
        check_warmup: also replay the warmup records of ``serving_step``.

    Returns:
        ``step`` with the reloaded signature's output specs (unchanged when declined).

    Raises:
        ExportError: no such signature, other inputs, outputs that differ, a failed record.

    Example: see :class:`StepEndpoint`.
    """
    if not step.available:
        return step
    import tensorflow as tf

    loaded = tf.saved_model.load(str(folder))  # owns the variables while the checks run
    signature = loaded.signatures.get(STEP_SIGNATURE_NAME)
    if signature is None:
        raise ExportError(f"the reloaded SavedModel has no {STEP_SIGNATURE_NAME!r} signature")
    keys = set(signature.structured_input_signature[1])
    if keys != set(step.specs):
        raise ExportError(f"{STEP_SIGNATURE_NAME} inputs {sorted(keys)} != {sorted(step.specs)}")
    feeds = {k: tf.constant(v) for k, v in sample.items()}
    want = {k: v.numpy() for k, v in loaded.signatures[SIGNATURE_NAME](**feeds).items()}
    half = np.asarray(sample[step.plan.sequence_input]).shape[1] // 2
    for splits in ([], [half]):
        got = _stream(lambda f: signature(**{k: tf.constant(v) for k, v in f.items()}), step,
                     sample, splits)
        _compare(want, got, f"reloaded {STEP_SIGNATURE_NAME}")
    if check_warmup:
        try:
            warmup_lib.replay({STEP_SIGNATURE_NAME: signature}, folder)
        except Exception as err:
            raise ExportError(f"a {STEP_SIGNATURE_NAME} warmup record failed: {err}") from err
    outputs = {key: {"dtype": dtype_name(spec.dtype), "shape": spec.shape.as_list()}
               for key, spec in signature.structured_outputs.items()}
    return replace(step, outputs=dict(sorted(outputs.items())))


class StepEndpoint(Endpoint):
    """``serving_step`` as an endpoint of the export (:mod:`seqkit.serving.endpoint`).

    Args:
        step: from :func:`prepare_step`.
        warmup: write its warmup records (``export(..., step_warmup=...)``).

    Example (the stages, as the export runs them):

    >>> import keras, tempfile, tensorflow as tf
    >>> from seqkit.serving.naming import OutputNaming
    >>> from seqkit.serving.portable import write_saved_model
    >>> from seqkit.serving.signature import input_specs, serving_function
    >>> from seqkit.serving.verify import reload_sample
    >>> inp = keras.Input((None, 3), name="sequence")
    >>> model = keras.Model(inp, keras.layers.GRU(2)(inp))
    >>> specs, naming = input_specs(model), OutputNaming(model, "generic", None)
    >>> serve, sample = serving_function(model, specs, naming), reload_sample(specs)
    >>> endpoint = StepEndpoint(prepare_step(model, specs, naming))
    >>> tmp = tempfile.TemporaryDirectory()
    >>> write_saved_model(tmp.name, model, specs, serve, [endpoint], sample) == [endpoint]
    True
    >>> sorted(tf.saved_model.load(tmp.name).signatures)
    ['serving_default', 'serving_step']
    >>> endpoint.verify(tmp.name, sample, False)
    >>> endpoint.metadata()["outputs"]["rnn_0_h"]
    {'dtype': 'float32', 'shape': [None, 2]}
    >>> tmp.cleanup()
    """

    key = "streaming"
    optional = True  # a step function that fails or differs is declined, with the reason
    label = "step"

    def __init__(self, step: StepSignature, warmup: bool = True):
        self.step = step
        self.warmup = warmup

    def functions(self) -> list:
        """``[("serving_step", function, input specs)]`` when the model streams, else ``[]``."""
        if not self.step.available:
            return []
        return [(STEP_SIGNATURE_NAME, self.step.function, self.step.specs)]

    def check(self, traced: list, default, sample: dict) -> str | None:
        """Why the traced step function differs from ``serving_default`` (:func:`_check_step`)."""
        return _check_step(traced[0], default, self.step, sample)

    def decline(self, reason: str) -> None:
        """Keep no step signature, and why."""
        self.step = self.step.declined(reason)

    def warmup_records(self, batches: list, batch_sizes, room: int) -> dict:
        """:func:`step_warmup_batches` (at most ``room``), counted in the metadata."""
        if not (self.warmup and self.step.available):
            return {}
        steps = step_warmup_batches(self.step, batch_sizes)[:max(0, room)]
        self.step.warmup_records = len(steps)
        return {STEP_SIGNATURE_NAME: steps} if steps else {}

    def verify(self, folder, sample: dict, check_warmup: bool) -> None:
        """:func:`verify_step`; its records are replayed when they were written."""
        self.step = verify_step(folder, self.step, sample,
                                check_warmup and self.warmup and self.step.available)

    def metadata(self) -> dict:
        """The ``streaming`` entry (:meth:`StepSignature.metadata`)."""
        return self.step.metadata()
