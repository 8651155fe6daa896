"""Sequence classification data ``[N, T, F]``: validation, post-padding, layouts, real sets.

Modules: :mod:`~seqkit.data.sequences.arrays` (checking, padding, layouts) and
:mod:`~seqkit.data.sequences.sets` (the named sets and ``.ts`` files as splits).

seqkit's layout is ``[N, T, F]`` (examples, time steps, features). aeon and the UCR/UEA
archive put channels second, ``[N, channels, T]`` (lists of ``[channels, T_i]`` for unequal
lengths): :func:`apply_layout` converts them when told ``layout="NCT"``; a layout is never
guessed from the shape.

Built-in set (offline; its data ship inside the scikit-learn wheel):

- ``"digits"``: scikit-learn's ``load_digits`` (UCI "Optical Recognition of Handwritten
  Digits", Alpaydin & Kaynak 1998; CC BY 4.0): 1797 images of 8x8 pixels, 10 classes (the
  integers 0..9, as scikit-learn gives them), read row by row as sequences of 8 time steps
  x 8 features, pixel values 0..16 scaled to [0, 1].

UCR/UEA sets (offline, through aeon, ``pip install 'seqkit[ucr]'``; see
:mod:`seqkit.data.ucr`): ``"ucr:<Name>"`` for the problems aeon bundles (ArrowHead,
BasicMotions, JapaneseVowels, ...) or keeps in its download folder, and the path of any
``.ts`` file in the archive format. Their official train/test split is kept.
"""

from seqkit.data.sequences.arrays import (
    LAYOUTS,
    CheckedSequences,
    apply_layout,
    check_sequences,
    pad_sequences_post,
)
from seqkit.data.sequences.sets import (
    SequenceSplits,
    has_test_split,
    list_sequence_datasets,
    load_sequence_dataset,
)

__all__ = [
    "LAYOUTS",
    "CheckedSequences",
    "SequenceSplits",
    "apply_layout",
    "check_sequences",
    "has_test_split",
    "list_sequence_datasets",
    "load_sequence_dataset",
    "pad_sequences_post",
]
