"""Fault tolerance: resume training after a crash without trusting a half-written file.

Keras' ``BackupAndRestore`` writes ``latest.weights.h5`` in place and then the epoch
metadata; a process killed mid-write leaves a corrupt or inconsistent backup (see
shared/design/traps.md). :class:`AtomicBackupAndRestore` writes both to temporary files
beside them, flushes them to disk, and renames them into place, so a reader sees the old
backup or the new one. Like Keras' callback it resumes at the start of the interrupted
epoch (at most one epoch of work is lost) and deletes its folder when training ends.
"""

from __future__ import annotations

import json
import os

import keras


class AtomicBackupAndRestore(keras.callbacks.BackupAndRestore):
    """``keras.callbacks.BackupAndRestore`` whose writes are atomic (temp file + rename).

    Args:
        backup_dir: the folder holding the backup (weights and the epoch reached).
        **kwargs: Keras' ``BackupAndRestore`` arguments (``save_freq``,
            ``double_checkpoint``, ``delete_checkpoint``).

    Example:

    >>> import keras, numpy as np, os, tempfile
    >>> folder = os.path.join(tempfile.mkdtemp(), "backup")
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0,
    ...                     callbacks=[AtomicBackupAndRestore(folder)])
    >>> os.path.exists(folder)  # deleted when training ends normally, like Keras'
    False
    """

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        pid = os.getpid()
        tmp_weights = os.path.join(self.backup_dir, f".tmp-{pid}.weights.h5")
        tmp_meta = os.path.join(self.backup_dir, f".tmp-{pid}-training_metadata.json")
        self.model.save_weights(filepath=tmp_weights, overwrite=True)
        with open(tmp_meta, "w") as f:
            json.dump({"epoch": self._current_epoch, "batch": self._last_batch_seen}, f)
            f.flush()
            os.fsync(f.fileno())
        _fsync(tmp_weights)
        # Weights first: a crash between the two renames resumes one epoch early with the
        # newer weights, never with weights older than the metadata claims.
        os.replace(tmp_weights, self._weights_path)
        os.replace(tmp_meta, self._training_metadata_path)


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
