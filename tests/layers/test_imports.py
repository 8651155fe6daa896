"""Import paths users and older code rely on keep working after the modules moved."""

import seqkit
import seqkit.layers as layers
from seqkit.layers import equations, loop, options, paths, trace


def test_public_names_resolve_from_every_documented_path():
    assert equations.LSTMOptions is options.LSTMOptions is layers.LSTMOptions
    assert equations.GRUOptions is options.GRUOptions is layers.GRUOptions
    assert trace.GateTrace is loop.GateTrace is layers.GateTrace
    assert seqkit.trace_gates is layers.trace_gates is trace.trace_gates
    for name in ("ExplicitLSTM", "ExplicitGRU", "ExplicitLSTMCell", "ExplicitGRUCell",
                 "make_rnn", "plot_gate_trace", "count_rnn"):
        assert getattr(seqkit, name) is getattr(layers, name), name
    assert set(layers.__all__) <= set(dir(layers))


def test_both_layers_share_the_path_choice():
    assert issubclass(layers.ExplicitLSTM, paths.ExplicitLoopMixin)
    assert issubclass(layers.ExplicitGRU, paths.ExplicitLoopMixin)
