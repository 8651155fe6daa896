"""The sequence regressor's model: the sequence classifier's features
(:func:`seqkit.classification.models.sequence_features`) with a regression head, the
target standardised inside the model.

The network predicts the standardised target ``(y - mean) / std`` (training-split
statistics): that is what is trained (:func:`regression_training_view`), so the loss and
the learning rate do not depend on the target's units. The served model adds
:class:`Destandardize`, so it returns ``prediction [B]`` in the target's own units and,
with quantiles, ``quantiles [B, Q]`` (non-crossing: the forecaster's
:class:`seqkit.forecasting.quantiles.NonCrossingQuantiles`, trained with its pinball loss),
``prediction`` then being their median.

Example:

>>> from seqkit.fit.options import RNNSpec
>>> model = build_regression_model(2, target_mean=10.0, target_std=2.0,
...                                rnn=RNNSpec("gru", 4))
>>> model.output.shape, regression_training_view(model).output.shape
((None,), (None, 1))
"""

from __future__ import annotations

import keras
import numpy as np

from seqkit.classification.models import sequence_features
from seqkit.fit.options import RNNSpec
from seqkit.validation import check_number

SCALED_POINT, SCALED_QUANTILES = "prediction_scaled", "quantiles_scaled"


@keras.saving.register_keras_serializable(package="seqkit")
class Destandardize(keras.layers.Layer):
    """``x * std + mean``, then column ``select`` of ``[B, K]`` (``[B]``) or all of it.

    Args:
        mean: the training targets' mean.
        std: their standard deviation (> 0).
        select: the column to return, or None for every column.
        **kwargs: ``keras.layers.Layer`` arguments.

    Example:

    >>> import numpy as np
    >>> np.asarray(Destandardize(10.0, 2.0, select=0)(np.array([[1.0], [-1.0]]))).tolist()
    [12.0, 8.0]
    """

    def __init__(self, mean, std, select=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.mean = float(check_number("target_mean", mean))
        self.std = float(check_number("target_std", std, positive=True))
        self.select = None if select is None else int(select)

    def call(self, x):
        x = x * self.std + self.mean
        return x if self.select is None else x[:, self.select]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) if self.select is None else (input_shape[0],)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "std": self.std,
                "select": self.select}


def build_regression_model(n_features: int, *, target_mean: float, target_std: float,
                           rnn: RNNSpec = RNNSpec(), mask_value: float | None = 0.0,
                           input_mean=None, input_std=None, patch: int = 1,
                           head: str = "last", frontend: str = "patches", quantiles=None,
                           name: str = "sequence_regressor") -> keras.Model:
    """:func:`~seqkit.classification.models.sequence_features` → a linear head on the
    standardised target → :class:`Destandardize`.

    Args:
        n_features: features per step.
        target_mean, target_std: the training targets' statistics.
        rnn, mask_value, input_mean, input_std, patch, head, frontend: as
            ``sequence_features`` takes them (``mask_value=None``: no masking).
        quantiles: None (a point prediction) or the levels
            (:func:`seqkit.forecasting.quantiles.check_quantiles`; 0.5 is added).
        name: the model's name.

    Returns:
        An uncompiled model: ``sequence [B, T, F]`` → ``prediction [B]``, or
        ``{"prediction": [B], "quantiles": [B, Q]}``.

    Example:

    >>> model = build_regression_model(1, target_mean=0.0, target_std=1.0,
    ...                                rnn=RNNSpec("lstm", 3), quantiles=[0.1, 0.9])
    >>> {k: v.shape for k, v in model.output.items()}
    {'prediction': (None,), 'quantiles': (None, 3)}
    """
    inp, x = sequence_features(n_features, rnn=rnn, mask_value=mask_value,
                               input_mean=input_mean,
                               input_std=input_std, patch=patch, head=head, frontend=frontend)
    if quantiles is None:
        scaled = keras.layers.Dense(1, name=SCALED_POINT, dtype="float32")(x)
        out = Destandardize(target_mean, target_std, select=0, name="prediction")(scaled)
        return keras.Model(inp, out, name=name)
    from seqkit.forecasting.quantiles import NonCrossingQuantiles, check_quantiles

    levels = check_quantiles(quantiles)
    raw = keras.layers.Dense(len(levels), name="head", dtype="float32")(x)
    raw = keras.layers.Reshape((len(levels), 1), name="head_levels", dtype="float32")(raw)
    scaled = NonCrossingQuantiles(list(levels), name=SCALED_QUANTILES, dtype="float32")(raw)
    flat = keras.layers.Reshape((len(levels),), name="levels", dtype="float32")(scaled)
    median = levels.index(0.5)
    out = {"prediction": Destandardize(target_mean, target_std, select=median,
                                       name="prediction")(flat),
           "quantiles": Destandardize(target_mean, target_std, name="quantiles")(flat)}
    return keras.Model(inp, out, name=name)


def regression_training_view(model: keras.Model) -> keras.Model:
    """The same layers as ``model`` up to its standardised output (what the fit trains).

    Args:
        model: a model of :func:`build_regression_model`.

    Returns:
        A model sharing ``model``'s weights: ``[B, 1]`` or ``[B, Q, 1]``.
    """
    names = {layer.name for layer in model.layers}
    out = SCALED_QUANTILES if SCALED_QUANTILES in names else SCALED_POINT
    return keras.Model(model.input, model.get_layer(out).output, name=f"{model.name}_scaled")


def target_stats(y) -> tuple[float, float]:
    """Mean and standard deviation of the training targets (std 1 for constant targets).

    Args:
        y: the training targets.

    Returns:
        ``(mean, std)``.

    Example:

    >>> target_stats([1.0, 3.0]), target_stats([5.0, 5.0])
    ((2.0, 1.0), (5.0, 1.0))
    """
    y = np.asarray(y, dtype="float64")
    std = float(y.std())
    return float(y.mean()), (std if std > 0 else 1.0)
