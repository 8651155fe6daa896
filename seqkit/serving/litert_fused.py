"""The fused LiteRT path: LSTM layers as TFLite's ``UNIDIRECTIONAL_SEQUENCE_LSTM`` op.

TensorFlow's converter fuses a recurrent layer only through *composite-op fusion* ("Fusing
TensorFlow composite operations", https://ai.google.dev/edge/litert/models/operation_fusion;
RFC tensorflow/community#113): a ``tf.function`` whose attributes name the interface it
implements has its body replaced by the fused op. For the LSTM the converter's pass
(``tensorflow/compiler/mlir/lite/transforms/prepare_composite_functions_tf.cc``,
``ConvertTFAPIImplements``) looks for ``api_implements = "lstm_<id>"`` — the attribute
tf.keras 2's LSTM put on its ``standard_lstm`` function — and ``ConvertKerasLSTMLayer``
(``tensorflow/compiler/mlir/lite/utils/lstm_utils.cc``) rewrites it when:

- the function takes ``(inputs, init_h, init_c, kernel, recurrent_kernel, bias)`` (a
  7th argument, the mask, is refused: the fused op has no mask input) and returns 5 values
  of which only the first two (last output, full sequence) are used;
- ``init_h``/``init_c`` have a static shape, i.e. **the batch is fixed**
  ("we cannot fuse this lstm func because the batch size is not fixed"), and the weights
  are static;
- ``time_major`` / ``go_backwards`` attributes say the layout.

The op it builds has sigmoid gates, tanh cell/output activations, gate order i, f, c, o,
no peephole, no layer-norm and no CIFG operands (it passes none for them), and
``cell_clip = 10`` (|c| is clipped at 10, Keras does not clip; the export's equality check
on sample rows catches a model that reaches it). Keras 3 emits no such function, so
:func:`fused_lstm_layers` temporarily replaces ``inner_loop`` of every eligible LSTM layer
with a call to such a function (:func:`composite_lstm`, its body the same LSTM written in
plain TensorFlow, so an unfused conversion is still exact), and :func:`convert_fused`
traces ``serving_default`` inside a ``keras.StatelessScope`` that maps every variable to a
constant: freezing with ``convert_variables_to_constants_v2`` would delete
``api_implements`` (its function inlining strips it), and unfrozen variables stay
``READ_VARIABLE`` ops.

Eligible (:func:`fusable_reason`): ``keras.layers.LSTM`` and seqkit's ``ExplicitLSTM``
with the built-in math or only ``forget_bias`` (folded into the forget bias), tanh and
sigmoid activations, no ``return_state``/``stateful``, inside ``Bidirectional`` too (its
backward layer uses ``go_backwards``), and no mask at call time. Everything else keeps the
``WHILE`` loop: GRUs (TFLite has no fused GRU builtin), peephole, CIFG, layer norm and the
other variants (the converter cannot pass their operands), masked inputs.
"""

from __future__ import annotations

import contextlib
import uuid

FUSED = "fused UnidirectionalSequenceLSTM"
LOOP = "WHILE loop"
#: the LSTM options the fused op can express (forget_bias folds into the bias)
FOLDABLE_OPTIONS = frozenset({"forget_bias"})


def fusable_reason(layer) -> str | None:
    """Why a layer cannot become ``UNIDIRECTIONAL_SEQUENCE_LSTM`` (``None``: it can).

    Args:
        layer: a Keras layer.

    Returns:
        ``None`` for an eligible LSTM layer, else the reason (a sentence).

    Example:

    >>> import keras
    >>> fusable_reason(keras.layers.LSTM(3)) is None
    True
    >>> fusable_reason(keras.layers.GRU(3))
    'GRU: TFLite has no fused GRU builtin'
    >>> from seqkit.layers import ExplicitLSTM
    >>> fusable_reason(ExplicitLSTM(3, peephole=True))
    "options {'peephole': True}: the converter's Keras LSTM fusion passes no peephole, \
layer-norm or CIFG operands"
    """
    import keras

    if not isinstance(layer, keras.layers.LSTM):
        return f"{type(layer).__name__}: TFLite has no fused GRU builtin" if isinstance(
            layer, keras.layers.GRU) else f"{type(layer).__name__} is not an LSTM"
    options = getattr(layer, "options", None)
    changed = options.changed() if options is not None else {}
    if set(changed) - FOLDABLE_OPTIONS:
        other = {k: v for k, v in changed.items() if k not in FOLDABLE_OPTIONS}
        return (f"options {other}: the converter's Keras LSTM fusion passes no peephole, "
                f"layer-norm or CIFG operands")
    cell = layer.cell
    names = (getattr(cell.activation, "__name__", ""),
             getattr(cell.recurrent_activation, "__name__", ""))
    if names != ("tanh", "sigmoid"):
        return f"activations {names}: the fused op has tanh and sigmoid only"
    if layer.return_state or layer.stateful:
        return "return_state/stateful: the fused function may only return its outputs"
    return None


def rnn_layers(model) -> list:
    """The recurrent layers of a model, a ``Bidirectional``'s two layers included.

    Args:
        model: a ``keras.Model``.

    Returns:
        ``keras.layers.RNN`` instances, in model order.

    Example:

    >>> import keras
    >>> inp = keras.Input((None, 2))
    >>> x = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True))(inp)
    >>> model = keras.Model(inp, keras.layers.GRU(2)(x))
    >>> [type(layer).__name__ for layer in rnn_layers(model)]
    ['LSTM', 'LSTM', 'GRU']
    """
    import keras

    found = []
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Bidirectional):
            found += [layer.forward_layer, layer.backward_layer]
        elif isinstance(layer, keras.layers.RNN) and layer not in found:
            found.append(layer)
    return found


def composite_lstm(go_backwards: bool = False):
    """A ``tf.function`` the converter rewrites into ``UNIDIRECTIONAL_SEQUENCE_LSTM``.

    Its attributes are tf.keras 2's (``api_implements="lstm_<uuid>"``, ``time_major``,
    ``go_backwards``); its body is the Keras LSTM (gate order i, f, c, o) in plain
    TensorFlow, so where the converter does not fuse the result is still exact. Outputs
    ``(last, sequence, 3 placeholders [1])``: the converter replaces outputs 3-5 by
    one-element zeros, and fuses only when they are unused.

    Args:
        go_backwards: process the sequence in reverse (outputs in processing order).

    Returns:
        ``f(inputs, init_h, init_c, kernel, recurrent_kernel, bias)``.

    Example:

    >>> import numpy as np, tensorflow as tf
    >>> f = composite_lstm()
    >>> x, h0 = tf.ones((1, 3, 2)), tf.zeros((1, 1))
    >>> last, seq, *_ = f(x, h0, h0, tf.zeros((2, 4)), tf.zeros((1, 4)), tf.zeros(4))
    >>> tuple(seq.shape), float(last[0, 0])  # zero weights: c = 0.5 * tanh(0) = 0
    ((1, 3, 1), 0.0)
    """
    import tensorflow as tf

    attributes = {"api_implements": f"lstm_{uuid.uuid4()}", "api_preferred_device": "CPU",
                  "time_major": False, "go_backwards": bool(go_backwards)}

    @tf.function(experimental_attributes=attributes, autograph=False)
    def standard_lstm(inputs, init_h, init_c, kernel, recurrent_kernel, bias):
        steps = tf.transpose(inputs, [1, 0, 2])
        if go_backwards:
            steps = tf.reverse(steps, [0])

        def step(carry, x):
            z = tf.matmul(x, kernel) + tf.matmul(carry[0], recurrent_kernel) + bias
            z_i, z_f, z_c, z_o = tf.split(z, 4, axis=1)
            c = tf.sigmoid(z_f) * carry[1] + tf.sigmoid(z_i) * tf.tanh(z_c)
            return tf.stack([tf.sigmoid(z_o) * tf.tanh(c), c])

        carries = tf.scan(step, steps, initializer=tf.stack([init_h, init_c]))
        sequence = tf.transpose(carries[:, 0], [1, 0, 2])
        placeholder = tf.zeros([1], inputs.dtype)
        return sequence[:, -1], sequence, placeholder, placeholder, placeholder

    return standard_lstm


@contextlib.contextmanager
def fused_lstm_layers(model, record: dict):
    """Route every eligible LSTM layer of ``model`` through :func:`composite_lstm`.

    Inside the block each eligible layer's ``inner_loop`` calls the composite function
    (masked calls keep the layer's own loop); on exit the layers are as before.

    Args:
        model: a ``keras.Model``.
        record: filled with ``{layer name: {"path": FUSED | LOOP, "reason": str | None}}``
            (``FUSED`` means routed through the composite; the flatbuffer's ops confirm).

    Yields:
        ``record``.

    Example:

    >>> import keras, numpy as np
    >>> inp = keras.Input((None, 2))
    >>> model = keras.Model(inp, keras.layers.LSTM(3, name="enc")(inp))
    >>> with fused_lstm_layers(model, {}) as record:
    ...     out = model(np.ones((1, 4, 2), "float32"))
    >>> record["enc"]["path"], "inner_loop" in vars(model.layers[1])
    ('fused UnidirectionalSequenceLSTM', False)
    """
    patched = []
    try:
        for layer in rnn_layers(model):
            reason = fusable_reason(layer)
            record[layer.name] = {"path": LOOP if reason else FUSED, "reason": reason}
            if reason is None:
                layer.__dict__["inner_loop"] = _routed_inner_loop(layer, record)
                patched.append(layer)
        yield record
    finally:
        for layer in patched:
            layer.__dict__.pop("inner_loop", None)


def _routed_inner_loop(layer, record):
    import tensorflow as tf

    original = type(layer).inner_loop.__get__(layer)
    composite = composite_lstm(layer.go_backwards)

    def inner_loop(sequences, initial_state, mask, training=False):
        if mask is not None:
            record[layer.name] = {"path": LOOP, "reason": "masked input: the fused op has "
                                  "no mask input (the converter refuses a mask argument)"}
            return original(sequences, initial_state, mask, training=training)
        cell = layer.cell
        units = cell.units
        bias = (tf.convert_to_tensor(cell.bias) if cell.use_bias
                else tf.zeros([4 * units], sequences.dtype))
        forget_bias = float((getattr(layer, "options", None) and layer.options.forget_bias)
                            or 0.0)
        if forget_bias:
            bias = bias + tf.constant([0.0] * units + [forget_bias] * units
                                      + [0.0] * (2 * units), bias.dtype)
        last, sequence, *_ = composite(
            sequences, initial_state[0], initial_state[1], tf.convert_to_tensor(cell.kernel),
            tf.convert_to_tensor(cell.recurrent_kernel), bias)
        return last, sequence, [last, last]  # states are unused (no return_state/stateful)

    return inner_loop


def convert_fused(model, specs: dict, serve, batch: int, record: dict) -> bytes:
    """``serving_default`` → a flatbuffer with eligible LSTMs fused (batch fixed).

    Args:
        model: the exported ``keras.Model``.
        specs: the signature's input specs.
        serve: the serving function.
        batch: the batch axis (fixed: the fusion needs static state shapes).
        record: filled per layer (:func:`fused_lstm_layers`).

    Returns:
        The flatbuffer (builtins only), signature ``serving_default``.

    Raises:
        Exception: whatever the converter raises.

    Example:

    >>> import keras
    >>> from seqkit.serving.litert_export import op_names
    >>> from seqkit.serving.naming import OutputNaming
    >>> from seqkit.serving.signature import input_specs, serving_function
    >>> inp = keras.Input((None, 3), name="window")
    >>> model = keras.Model(inp, keras.layers.Dense(1)(keras.layers.LSTM(2)(inp)))
    >>> specs = input_specs(model)
    >>> serve = serving_function(model, specs, OutputNaming(model, "forecasting", None))
    >>> flatbuffer = convert_fused(model, specs, serve, 1, {})
    >>> "UNIDIRECTIONAL_SEQUENCE_LSTM" in op_names(flatbuffer), "WHILE" in op_names(flatbuffer)
    (True, False)
    """
    import keras
    import tensorflow as tf

    variables = list(model.variables)
    values = [v.numpy() for v in variables]
    fixed = {name: tf.TensorSpec([batch, *spec["shape"][1:]], spec["dtype"], name=name)
             for name, spec in specs.items()}

    def constant_serve(**feeds):
        mapping = [(v, tf.constant(a)) for v, a in zip(variables, values, strict=True)]
        with keras.StatelessScope(state_mapping=mapping), fused_lstm_layers(model, record):
            return dict(serve(feeds))

    function = tf.function(constant_serve).get_concrete_function(**fixed)
    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], tf.Module())
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()
