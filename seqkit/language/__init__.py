"""Language models: :func:`fit_language_model` (:mod:`seqkit.language.task`, the task
``"language_modelling"``), the recurrent model (:mod:`seqkit.language.model`), seeded
sampling (:mod:`seqkit.language.sampling`, :func:`generate`) and the smoothed n-gram
baseline every recurrent language model is measured against
(:mod:`seqkit.language.ngram`), in bits per character and perplexity on held-out text."""

from seqkit.language.task import LanguageModelling, fit_language_model, generate

__all__ = ["LanguageModelling", "fit_language_model", "generate"]
