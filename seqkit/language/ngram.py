"""An interpolated Kneser–Ney n-gram model of characters (or any tokens): the baseline a
recurrent language model must beat, in bits per character on the same held-out text.

Interpolated Kneser–Ney (Kneser & Ney 1995; Chen & Goodman 1998, "An Empirical Study of
Smoothing Techniques for Language Modeling", eq. 12–13, one discount per order). With
``h`` a history of ``k - 1`` tokens and ``h'`` the same without its first token::

    P_k(w | h) = max(c_k(h w) - D_k, 0) / c_k(h)
                 + D_k * N1+(h •) / c_k(h) * P_{k-1}(w | h')        (c_k(h) > 0)
    P_k(w | h) = P_{k-1}(w | h')                                     (c_k(h) = 0)
    P_0(w)     = 1 / V                                               (V: vocabulary + <unk>)

where ``c_k`` is the raw count at the highest order n and the *continuation* count
``N1+(• h w)`` (how many distinct tokens precede ``h w``) at every lower order, and
``N1+(h •)`` is the number of distinct tokens that follow ``h`` (at the lower orders: that
follow ``h`` in at least one context). ``D_k = n1 / (n1 + 2 n2)`` from the counts-of-counts
of order k (Ney, Essen & Kneser 1994), clipped to (0, 1). Every conditional distribution
sums to 1 over the vocabulary and ``<unk>`` (tested for every history of a corpus).

The text is padded with ``n - 1`` start symbols, so the first tokens are predicted from
shorter real histories; a token never seen in training is ``<unk>``.

Example:

>>> lm = KneserNey(order=3).fit("abracadabra")
>>> round(sum(lm.prob(c, "ab") for c in lm.vocabulary), 10)
1.0
>>> lm.bits_per_token("abra") < lm.bits_per_token("zzzz")
True
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from seqkit.errors import DataError
from seqkit.validation import check_int

START, UNK = "\x02", "<unk>"


class KneserNey:
    """Interpolated Kneser–Ney n-gram model (module docstring).

    Args:
        order: n, the longest n-gram (>= 1).

    Example:

    >>> lm = KneserNey(order=2).fit(["a", "b", "a", "b"])
    >>> round(lm.prob("b", "a"), 4) > round(lm.prob("a", "a"), 4)
    True
    """

    def __init__(self, order: int = 5):
        self.order = check_int("order", order)
        self.counts: list[Counter] = []
        self.vocabulary: list = []

    def fit(self, tokens) -> KneserNey:
        """Count the n-grams of ``tokens`` (a string is a sequence of characters).

        Args:
            tokens: a non-empty sequence of hashable tokens.

        Returns:
            ``self``.

        Raises:
            DataError: an empty sequence.
        """
        tokens = list(tokens)
        if not tokens:
            raise DataError("tokens must be a non-empty sequence, got an empty one")
        n = self.order
        padded = [START] * (n - 1) + tokens
        # counts[k][(h..., w)]: raw counts at order n, continuation counts below
        raw = [Counter() for _ in range(n + 1)]
        for k in range(1, n + 1):
            for i in range(n - 1, len(padded)):
                if i - k + 1 >= 0:
                    raw[k][tuple(padded[i - k + 1:i + 1])] += 1
        self.counts = [Counter() for _ in range(n + 1)]
        self.counts[n] = raw[n]
        for k in range(1, n):
            self.counts[k] = Counter(gram[1:] for gram in raw[k + 1])
        self.vocabulary = sorted(set(tokens), key=repr) + [UNK]
        self._known = set(self.vocabulary)
        self._tables()
        return self

    def _tables(self) -> None:
        """Context totals, distinct followers and discounts of every order."""
        n = self.order
        self.totals = [defaultdict(int) for _ in range(n + 1)]
        self.followers = [defaultdict(int) for _ in range(n + 1)]
        self.discounts = [0.0] * (n + 1)
        for k in range(1, n + 1):
            for gram, count in self.counts[k].items():
                self.totals[k][gram[:-1]] += count
                self.followers[k][gram[:-1]] += 1
            of = Counter(self.counts[k].values())
            n1, n2 = of.get(1, 0), of.get(2, 0)
            d = n1 / (n1 + 2 * n2) if n1 + 2 * n2 else 0.5
            self.discounts[k] = min(max(d, 1e-3), 0.999)

    def prob(self, token, history=()) -> float:
        """``P(token | history)``: the last ``order - 1`` tokens of the history count.

        Args:
            token: a token (one never seen is ``<unk>``).
            history: the preceding tokens (a string for characters); shorter than
                ``order - 1`` is padded with start symbols, as the text was.

        Returns:
            The probability, in (0, 1].
        """
        if not self.counts:
            raise DataError("the model is not fitted: call fit(tokens) first")
        if token not in self._known:
            token = UNK
        history = [START] * (self.order - 1) + list(history)
        return self._p(self.order, tuple(history[len(history) - self.order + 1:]), token)

    def _p(self, k: int, h: tuple, w) -> float:
        if k == 0:
            return 1.0 / len(self.vocabulary)
        lower = self._p(k - 1, h[1:], w)
        total = self.totals[k].get(h, 0)
        if total == 0:
            return lower
        d = self.discounts[k]
        count = self.counts[k].get(h + (w,), 0)
        return max(count - d, 0.0) / total + d * self.followers[k][h] / total * lower

    def bits_per_token(self, tokens) -> float:
        """Cross-entropy of held-out ``tokens`` in bits per token (per character for a
        string): ``-mean log2 P(token_t | the tokens before it)``, the first predicted from
        start symbols as in training.

        Args:
            tokens: the held-out sequence (non-empty).

        Returns:
            Bits per token; ``2 ** bits`` is the perplexity.

        Example:

        >>> lm = KneserNey(order=1).fit("aab")   # unigram: 2/3 - D, ... interpolated
        >>> round(2 ** lm.bits_per_token("ab"), 3) == round(1 / math.sqrt(
        ...     lm.prob("a") * lm.prob("b")), 3)
        True
        """
        tokens = list(tokens)
        if not tokens:
            raise DataError("tokens must be a non-empty sequence, got an empty one")
        history = [START] * (self.order - 1)
        total = 0.0
        for token in tokens:
            total -= math.log2(self.prob(token, history))
            history = history[1:] + [token] if self.order > 1 else history
        return total / len(tokens)
