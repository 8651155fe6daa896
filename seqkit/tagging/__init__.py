"""Sequence labelling (BiLSTM-CRF, Lample et al. 2016), the pieces: a linear-chain CRF
layer, loss and Viterbi decoder written with ``keras.ops`` (:mod:`seqkit.tagging.crf`),
entity-level precision, recall and F1 under the CoNLL rules for IOB1, IOB2 and IOBES
(:mod:`seqkit.tagging.metrics`), and readers of CoNLL-2003 column files and CoNLL-U
treebanks (:mod:`seqkit.tagging.conll`)."""
