"""Sequence labelling (issue 24, in progress): a linear-chain CRF written with
``keras.ops`` (:mod:`seqkit.tagging.crf`) — the forward algorithm's log-partition and
log-likelihood, and Viterbi decoding — exact against enumerating every tag path."""
