"""seqkit.data.text.load_word_vectors: GloVe and word2vec text files the tests write, read
into an embedding matrix for a vocabulary; malformed files are named errors."""

import numpy as np
import pytest

from seqkit.data.text import WordVectors, load_word_vectors
from seqkit.errors import ConfigError, DataError

VOCAB = ["", "[UNK]", "good", "film", "zebra", "bad"]
FILE_VECTORS = {  # zebra is not in the file; "ocean" is not in the vocabulary
    "good": [0.125, -1.5, 2.0, 0.3],
    "bad": [-0.7, 0.25, 1e-3, -2.0],
    "ocean": [9.0, 9.0, 9.0, 9.0],
    "film": [1.0, 2.0, 3.0, 4.0],
}


def _write(path, vectors, header=False, encoding="utf-8"):
    lines = [f"{len(vectors)} {len(next(iter(vectors.values())))}"] if header else []
    lines += [" ".join([word, *(repr(v) for v in values)]) for word, values in vectors.items()]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize("header, file_format", [(False, "glove"), (True, "word2vec")])
def test_found_words_get_the_files_vectors_exactly(tmp_path, header, file_format):
    path = _write(tmp_path / "vectors.txt", FILE_VECTORS, header=header)
    wv = load_word_vectors(path, VOCAB, seed=0)
    assert isinstance(wv, WordVectors)
    assert wv.file_format == file_format and wv.dimension == 4 and wv.path == str(path)
    assert wv.matrix.dtype == np.float32 and wv.matrix.shape == (len(VOCAB), 4)
    for word in ("good", "film", "bad"):
        np.testing.assert_array_equal(wv.matrix[VOCAB.index(word)],
                                      np.array(FILE_VECTORS[word], dtype=np.float32))
    np.testing.assert_array_equal(wv.matrix[0], np.zeros(4, np.float32))  # padding
    assert np.all(wv.matrix[[1, 4]] != 0) and np.all(np.isfinite(wv.matrix))  # OOV, zebra
    # hand count: good, film, bad of the 4 looked-up words (padding and [UNK] are not)
    assert (wv.found, wv.searched, wv.coverage) == (3, 4, 0.75)
    assert wv.info() == {"file": str(path), "format": file_format, "dimension": 4,
                         "found": 3, "searched": 4, "coverage": 0.75}


def test_random_rows_are_seeded_and_at_the_files_scale(tmp_path):
    rng = np.random.default_rng(1)
    vectors = {f"w{i}": (rng.normal(size=64) * 0.5).tolist() for i in range(40)}
    path = _write(tmp_path / "vectors.txt", vectors)
    vocab = ["", "[UNK]", "w0"] + [f"missing{i}" for i in range(40)]
    a = load_word_vectors(path, vocab, seed=3)
    np.testing.assert_array_equal(a.matrix, load_word_vectors(path, vocab, seed=3).matrix)
    assert not np.array_equal(a.matrix[3:], load_word_vectors(path, vocab, seed=4).matrix[3:])
    random_rows = np.concatenate([a.matrix[1:2], a.matrix[3:]])
    file_std = np.std(np.array(list(vectors.values())))
    assert abs(np.std(random_rows) - file_std) < 0.1 * file_std
    with pytest.warns(UserWarning, match="none of the 40 vocabulary words"):
        load_word_vectors(path, vocab[:2] + vocab[3:])


def test_a_repeated_word_keeps_its_first_vector(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("good 1 2\ngood 3 4\n")
    np.testing.assert_array_equal(load_word_vectors(path, ["", "good"]).matrix[1], [1, 2])


def test_other_encodings_are_read_with_encoding(tmp_path):
    path = _write(tmp_path / "v.txt", {"good": [1.0, 2.0], "café": [3.0, 4.0]},
                  encoding="latin-1")
    wv = load_word_vectors(path, ["", "[UNK]", "café"], encoding="latin-1")
    np.testing.assert_array_equal(wv.matrix[2], [3.0, 4.0])
    with pytest.raises(DataError, match=r"v\.txt:2: cannot decode byte 0xe9 .* as utf-8"):
        load_word_vectors(path, ["", "café"])
    with pytest.raises(ConfigError, match="encoding must be a text encoding"):
        load_word_vectors(path, ["", "café"], encoding="utf-9")


@pytest.mark.parametrize("text, match", [
    ("good 1 2 3\nbad 1 2\n", r"v\.txt:2: expected a word and 3 values, found 2 value\(s\) "
                              "after 'bad'"),
    ("good 1 2\nbad 1 x\n", r"v\.txt:2: value 'x' of 'bad' is not a number"),
    ("good 1 2\n\nbad 1 nan\n", r"v\.txt:3: the vector of 'bad' is not finite"),
    ("3 2\ngood 1 2\nbad 1 2\n", r"v\.txt:1: the word2vec header announces 3 vectors, the "
                                 "file has 2"),
    ("2 3\ngood 1 2 3\nbad 1 2\n", r"v\.txt:3: expected a word and 3 values"),
    ("lonely\n", r"v\.txt:1: expected a word and its values"),
    ("\n\n", r"v\.txt: no word vectors"),
])
def test_malformed_files_name_the_file_and_line(tmp_path, text, match):
    path = tmp_path / "v.txt"
    path.write_text(text)
    with pytest.raises(DataError, match=match):
        load_word_vectors(path, ["", "good"])


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DataError, match="embeddings file .*nowhere.txt' not found"):
        load_word_vectors(tmp_path / "nowhere.txt", ["", "good"])
