"""Language models (issue 24, in progress): the smoothed n-gram baseline every recurrent
language model is measured against (:mod:`seqkit.language.ngram`), with bits per
character and perplexity on held-out text."""
