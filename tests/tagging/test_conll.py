"""The CoNLL-2003 and CoNLL-U readers (issue 24) on small files written here, against
the sentences read off those files by hand."""

from __future__ import annotations

import pytest

from seqkit.errors import ConfigError, DataError
from seqkit.tagging.conll import read_conll, read_conllu

CONLL = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC"""

CONLLU = "\n".join([
    "# sent_id = 1",
    "# text = Vámonos al mar.",
    "1\tVamos\tir\tVERB\t_\t_\t0\troot\t_\t_",
    "2\tnos\tnosotros\tPRON\t_\t_\t1\tobj\t_\t_",
    "3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_",
    "3\ta\ta\tADP\t_\t_\t5\tcase\t_\t_",
    "4\tel\tel\tDET\t_\t_\t5\tdet\t_\t_",
    "5\tmar\tmar\tNOUN\t_\t_\t1\tobl\t_\t_",
    "5.1\tva\tir\tVERB\t_\t_\t_\t_\t1:conj\t_",
    "6\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_",
    "",
    "# sent_id = 2",
    "1\tSí\tsí\tINTJ\t_\t_\t0\troot\t_\t_",
    "",
])


def test_read_conll_sentences_by_hand(tmp_path):
    path = tmp_path / "train.txt"
    path.write_text(CONLL, encoding="utf-8")
    sentences = read_conll(path)
    assert [s["token"] for s in sentences] == [["EU", "rejects", "German"],
                                               ["Peter", "Blackburn"], ["BRUSSELS"]]
    assert sentences[0]["tag"] == ["B-ORG", "O", "B-MISC"]
    assert sentences[1]["chunk"] == ["B-NP", "I-NP"]
    assert sentences[2] == {"token": ["BRUSSELS"], "pos": ["NNP"], "chunk": ["B-NP"],
                            "tag": ["B-LOC"]}


def test_read_conll_custom_columns_and_crlf(tmp_path):
    path = tmp_path / "two.txt"
    path.write_bytes(b"a\tB-X\r\nb\tI-X\r\n\r\n\r\nc\tO\r\n")
    assert read_conll(str(path), columns=["word", "ner"]) == [
        {"word": ["a", "b"], "ner": ["B-X", "I-X"]}, {"word": ["c"], "ner": ["O"]}]


def test_read_conll_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("EU NNP B-NP B-ORG\nrejects VBZ O\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.txt:2: a line must have 4 columns "
                       r"\(token, pos, chunk, tag\), got 3: 'rejects VBZ O'"):
        read_conll(path)
    with pytest.raises(DataError, match=r"path must be an existing file, got '.*nope\.txt'"):
        read_conll(tmp_path / "nope.txt")
    with pytest.raises(ConfigError, match="columns must be a sequence of distinct"):
        read_conll(path, columns=("token", "token"))
    with pytest.raises(ConfigError, match="columns must be a sequence of distinct"):
        read_conll(path, columns="token tag")


def test_read_conllu_skips_comments_ranges_and_empty_nodes(tmp_path):
    path = tmp_path / "es.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    sentences = read_conllu(path)
    assert sentences == [
        {"token": ["Vamos", "nos", "a", "el", "mar", "."],
         "lemma": ["ir", "nosotros", "a", "el", "mar", "."],
         "upos": ["VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT"]},
        {"token": ["Sí"], "lemma": ["sí"], "upos": ["INTJ"]}]


def test_read_conllu_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text("# c\n1\tA\ta\tX\t_\t_\t0\troot\t_\t_\n2 B b X _ _ 1 dep _ _\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.conllu:3: a CoNLL-U line must have 10 "
                       r"tab-separated columns, got 1"):
        read_conllu(path)
    path.write_text("1\tA\ta\tX\t_\t_\t0\troot\t_\t_\n3\tB\tb\tX\t_\t_\t1\tdep\t_\t_\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.conllu:2: ID must be 2 .*got '3'"):
        read_conllu(path)
