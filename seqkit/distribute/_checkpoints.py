"""Per-epoch checkpoints of the custom loop (internal to
:mod:`seqkit.distribute.custom_loop`): restore the latest, save after every epoch, only the
chief into the real directory."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

from seqkit.distribute.describe import describe_strategy, is_chief

logger = logging.getLogger(__name__)


class EpochCheckpoints:
    """Model, optimizer and an epoch counter in a ``tf.train.CheckpointManager``.

    With ``checkpoint_dir`` None nothing is read or written. Otherwise the latest
    checkpoint there is restored (``initial_epoch`` says how many epochs it had done); the
    chief then writes into ``checkpoint_dir``, every other worker into a temp dir that is
    deleted after each save and by :meth:`close` (every worker must take part in a save:
    the variables are collective).

    Args:
        strategy: the training strategy (tells whether this process is the chief).
        model: the model to save and restore.
        optimizer: its optimizer (restored too, so Adam resumes where it stopped).
        checkpoint_dir: the directory, or None.
        max_to_keep: checkpoints kept by the manager.
    """

    def __init__(self, strategy, model, optimizer, checkpoint_dir, max_to_keep: int):
        import tensorflow as tf

        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer,
                                              epoch=self.epoch)
        self.manager = None
        self.write_dir = None
        self.chief = is_chief(strategy)
        self.initial_epoch = 0
        if checkpoint_dir is None:
            return
        checkpoint_dir = os.fspath(checkpoint_dir)
        latest = tf.train.latest_checkpoint(checkpoint_dir)
        if latest:
            self.checkpoint.restore(latest).assert_existing_objects_matched()
            self.initial_epoch = int(self.epoch.numpy())
            logger.info("restored %s (epoch %d)", latest, self.initial_epoch)
        if self.chief:
            self.write_dir = checkpoint_dir
        else:
            task = describe_strategy(strategy)["task_id"]
            self.write_dir = tempfile.mkdtemp(prefix=f"seqkit-ckpt-worker{task}-")
        self.manager = tf.train.CheckpointManager(self.checkpoint, self.write_dir,
                                                  max_to_keep=max_to_keep)

    def save(self, epochs_done: int) -> None:
        """Record ``epochs_done`` and save (numbered ``epochs_done``) when a dir was given."""
        self.epoch.assign(epochs_done)
        if self.manager is not None:
            self.manager.save(checkpoint_number=epochs_done)
            if not self.chief:
                shutil.rmtree(self.write_dir, ignore_errors=True)

    def close(self) -> None:
        """Delete a non-chief's temp dir."""
        if self.write_dir is not None and not self.chief:
            shutil.rmtree(self.write_dir, ignore_errors=True)
