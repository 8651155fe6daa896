"""What the gradient of the explicit loop keeps per time step, read from the traced
training graph: the tensors TensorFlow's while-loop gradient stacks (one
``TensorListPushBack`` per loop-body value the backward pass needs).

The reference is the hand count of the step equations' gradient: the LSTM keeps
σ(i), σ(f), σ(o), tanh(g), tanh(c), h_{t-1}, c_{t-1} (7 × units) and the input; the GRU
(``reset_after``) σ(z), σ(r), U_h h_{t-1} + b, tanh(h̃), h_{t-1} − h̃, h_{t-1} (6 × units)
and the input; CIFG keeps f = 1 − i in place of σ(f), the peephole LSTM c_t as well (its
output gate reads it). No weight matrix may be among them: a variable read inside the loop
body is stacked once per step (the GRU's kernels were, before
:func:`seqkit.layers.loop.read_once`)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkit.layers import make_rnn
from seqkit.study.measure import mse_train_step

UNITS, FEATURES, BATCH = 16, 5, 8  # batch > loop.SMALL_BATCH: the input is projected per step
KEPT = {"lstm": 7, "gru": 6, "cifg": 7, "peephole": 8}


def stacked_per_step(layer):
    """Shapes of every tensor the traced train step's while loops push per iteration."""
    inputs = keras.Input((None, FEATURES))
    model = keras.Model(inputs, keras.layers.Dense(1)(layer(inputs)))
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    spec = [tf.TensorSpec([BATCH, None, FEATURES]), tf.TensorSpec([BATCH, 1])]
    graph = mse_train_step(model, optimizer, input_signature=spec) \
        .get_concrete_function().graph
    shapes = []

    def walk(g):
        for op in g.get_operations():
            if op.type == "TensorListPushBack":
                shapes.append(tuple(op.inputs[1].shape.as_list()))
            for attr in ("body", "cond", "then_branch", "else_branch"):
                try:
                    name = op.get_attr(attr).name
                except (ValueError, TypeError):
                    continue
                if name in g._functions:  # TF keeps the loop body as a function graph
                    walk(g._functions[name].graph)

    walk(graph)
    return shapes, {tuple(w.shape) for w in layer.weights if len(w.shape) == 2}


@pytest.mark.parametrize("cell", sorted(KEPT))
def test_backward_pass_keeps_the_hand_counted_values_and_no_weights(cell):
    keras.utils.set_random_seed(0)
    shapes, weight_shapes = stacked_per_step(make_rnn(cell, UNITS))
    assert not set(shapes) & weight_shapes, f"a weight matrix is stacked per step: {shapes}"
    floats = sum(int(np.prod(s)) for s in shapes)
    assert floats == BATCH * (KEPT[cell] * UNITS + FEATURES), shapes


@pytest.mark.parametrize("cell", ["layernorm_gru", "layernorm_lstm"])
def test_variants_stack_no_weights(cell):
    keras.utils.set_random_seed(0)
    shapes, weight_shapes = stacked_per_step(make_rnn(cell, UNITS))
    vectors = {(UNITS,), (3 * UNITS,), (4 * UNITS,)}  # peepholes, layer-norm γ/β
    assert not set(shapes) & (weight_shapes | vectors), shapes
    assert all(s[0] == BATCH for s in shapes), shapes  # only per-example values
