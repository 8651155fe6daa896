"""Per-feature standardization fit on the training part only."""

from __future__ import annotations

import numpy as np

from seqkit.data.timeseries.checks import _as_2d_float
from seqkit.errors import ConfigError, DataError


class Scaler:
    """Per-feature standardization ``(x - mean) / std``, fit on the training part only.

    A feature with zero (or non-finite) spread gets ``std = 1`` so it maps to 0, not NaN.
    ``get_config()`` returns a JSON-able dict; ``Scaler.from_config(cfg)`` restores it.

    Args:
        mean: per-feature means of a fitted scaler (None: unfitted, call :meth:`fit`).
        std: per-feature standard deviations, with ``mean``.

    Example:

    >>> x = np.array([[0.0, 10.0], [2.0, 10.0], [4.0, 10.0], [6.0, 10.0]])
    >>> scaler = Scaler().fit(x)
    >>> Scaler().fitted, scaler.fitted
    (False, True)
    >>> scaler
    Scaler(mean=[3.0, 10.0], std=[2.2361, 1.0])
    >>> z = scaler.transform(x)
    >>> z.round(3)  # the constant feature maps to 0
    array([[-1.342,  0.   ],
           [-0.447,  0.   ],
           [ 0.447,  0.   ],
           [ 1.342,  0.   ]], dtype=float32)
    >>> np.allclose(scaler.inverse_transform(z), x, atol=1e-5)
    True
    """

    def __init__(self, mean=None, std=None):
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64).reshape(-1)
        self.std = None if std is None else np.asarray(std, dtype=np.float64).reshape(-1)

    @property
    def fitted(self) -> bool:
        """Whether mean/std are set."""
        return self.mean is not None and self.std is not None

    def fit(self, train_values) -> Scaler:
        """Compute mean/std per feature from the training values.

        Args:
            train_values: ``[N]`` or ``[N, F]`` finite values of the training part.

        Returns:
            ``self``, fitted.

        Raises:
            DataError: no rows, NaN/inf (run :func:`seqkit.data.check_series` first), or a
                non-numeric input.

        Example:

        >>> Scaler().fit(np.array([1.0, 3.0])).get_config()
        {'mean': [2.0], 'std': [1.0]}
        >>> Scaler().fit(np.array([1.0, np.nan]))
        Traceback (most recent call last):
        ...
        seqkit.errors.DataError: cannot fit a Scaler on NaN/inf (1 values); run check_series first
        """
        arr = _as_2d_float(train_values, "scaler input").astype(np.float64)
        if len(arr) == 0:
            raise DataError("cannot fit a Scaler on 0 rows")
        if not np.isfinite(arr).all():
            raise DataError(
                f"cannot fit a Scaler on NaN/inf ({int((~np.isfinite(arr)).sum())} values); "
                "run check_series first"
            )
        self.mean = arr.mean(axis=0)
        std = arr.std(axis=0)
        self.std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
        return self

    def _params(self, columns):
        if not self.fitted:
            raise ConfigError("Scaler is not fitted; call fit(train_values) first")
        if columns is None:
            return self.mean, self.std
        cols = list(columns)
        return self.mean[cols], self.std[cols]

    def _apply(self, values, columns, scale: bool) -> np.ndarray:
        """``(values - mean) / std`` when ``scale``, else ``values * std + mean``."""
        mean, std = self._params(columns)
        arr = np.asarray(values, dtype=np.float64)
        if scale and arr.ndim == 1 and mean.shape[0] > 1:
            raise DataError(f"1-D input but the Scaler has {mean.shape[0]} features")
        squeeze = arr.ndim == 1
        arr = arr[:, None] if squeeze else arr
        if arr.shape[-1] != mean.shape[0]:
            raise DataError(
                f"Scaler has {mean.shape[0]} feature(s) but the input's last axis has "
                f"{arr.shape[-1]}"
            )
        out = ((arr - mean) / std if scale else arr * std + mean).astype(np.float32)
        return out[:, 0] if squeeze else out

    def transform(self, values, columns=None) -> np.ndarray:
        """Scale ``values``: ``(values - mean) / std`` per feature.

        Args:
            values: any shape ending in F (or in ``len(columns)``); ``[N]`` for one feature.
            columns: the features the last axis holds (default all, in order).

        Returns:
            ``float32`` array of the shape of ``values``.

        Raises:
            ConfigError: the scaler is not fitted.
            DataError: the last axis does not match the features.

        Example:

        >>> Scaler(mean=[1.0, 10.0], std=[2.0, 5.0]).transform(np.array([[3.0, 0.0]]))
        array([[ 1., -2.]], dtype=float32)
        """
        return self._apply(values, columns, scale=True)

    def inverse_transform(self, values, columns=None) -> np.ndarray:
        """Undo :meth:`transform`: ``values * std + mean`` per feature.

        Args:
            values: scaled values, any shape ending in F (or in ``len(columns)``).
            columns: the features the last axis holds, e.g. the target columns of
                ``y [B, horizon, n_targets]`` (default all, in order).

        Returns:
            ``float32`` array of the shape of ``values``, in the original units.

        Raises:
            ConfigError: the scaler is not fitted.
            DataError: the last axis does not match the features.

        Example:

        >>> scaler = Scaler(mean=[1.0, 10.0], std=[2.0, 5.0])
        >>> scaler.inverse_transform(np.array([[[1.0]], [[-2.0]]]), columns=[1])[:, 0, 0]
        array([15.,  0.], dtype=float32)
        """
        return self._apply(values, columns, scale=False)

    def get_config(self) -> dict:
        """The fitted parameters as plain lists.

        Returns:
            JSON-able ``{"mean": [...], "std": [...]}``.

        Raises:
            ConfigError: the scaler is not fitted.

        Example:

        >>> Scaler(mean=[0.5], std=[2.0]).get_config()
        {'mean': [0.5], 'std': [2.0]}
        """
        mean, std = self._params(None)
        return {"mean": [float(v) for v in mean], "std": [float(v) for v in std]}

    @classmethod
    def from_config(cls, config: dict) -> Scaler:
        """Rebuild a fitted Scaler.

        Args:
            config: :meth:`get_config` output.

        Returns:
            A fitted :class:`Scaler`.

        Example:

        >>> Scaler.from_config({"mean": [0.5], "std": [2.0]})
        Scaler(mean=[0.5], std=[2.0])
        """
        return cls(mean=config["mean"], std=config["std"])

    def __repr__(self) -> str:
        if not self.fitted:
            return "Scaler(unfitted)"
        mean, std = np.round(self.mean, 4).tolist(), np.round(self.std, 4).tolist()
        return f"Scaler(mean={mean}, std={std})"
