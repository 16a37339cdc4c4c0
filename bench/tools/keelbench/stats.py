"""Small-sample statistics for benchmark comparisons, standard library only.

All functions take plain sequences of numbers and do not modify them.

The Mann-Whitney U test here is two-sided and gives the same p-values as
scipy.stats.mannwhitneyu(x, y, alternative="two-sided") with
method="exact" or method="asymptotic" (use_continuity=True):

  exact       When neither sample has ties and both have at most
              EXACT_LIMIT values. p = 2 * P(U >= max(U1, U2)) under the null
              hypothesis, capped at 1, counted exactly with integers.
  asymptotic  Otherwise: a normal approximation with the tie correction of
              the variance and a continuity correction of 0.5.

scipy's method="auto" switches to the approximation when both samples have
more than 8 values, to save time; the exact count is cheap here up to
EXACT_LIMIT, so for 9..50 values without ties this module is exact where
scipy's default is not. Ties make the exact count invalid (the null
distribution changes), which is why they always take the approximation.
"""

import functools
import math
from typing import NamedTuple, Sequence

ALPHA = 0.05  # significance level used by the comparison
EXACT_LIMIT = 50  # largest sample size for the exact distribution


def median(values: Sequence[float]) -> float:
    """The middle value; the mean of the two middle values for an even count.

    Raises ValueError for an empty sequence.
    """
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("median of no values")
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def geomean(values: Sequence[float]) -> float:
    """The geometric mean of positive values.

    Summed in logs so a long product cannot overflow. Raises ValueError for an
    empty sequence or a value that is not positive.
    """
    if not values:
        raise ValueError("geometric mean of no values")
    if any(v <= 0 for v in values):
        raise ValueError("geometric mean needs positive values")
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def spread_pct(values: Sequence[float]) -> float:
    """The largest distance from the median to any value, in percent of the
    median (0 when the median is 0). This is the "± x%" of the tables: unlike
    a standard deviation it stays meaningful for 3 to 10 samples and shows an
    outlier instead of averaging it away.
    """
    mid = median(values)
    if mid == 0:
        return 0.0
    return max(abs(v - mid) for v in values) / abs(mid) * 100


def ranks(values: Sequence[float]) -> tuple[list[float], list[int]]:
    """Ranks 1..n with tied values sharing their average rank.

    Returns (ranks in the input's order, the size of every group of ties
    with more than one member).
    """
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    ties = []
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = (start + end) / 2 + 1  # average of ranks start+1 .. end+1
        for k in range(start, end + 1):
            result[order[k]] = shared
        if end > start:
            ties.append(end - start + 1)
        start = end + 1
    return result, ties


@functools.lru_cache(maxsize=64)
def u_distribution(m: int, n: int) -> tuple[int, ...]:
    """How many of the C(m+n, m) equally likely orderings of two samples of
    sizes m and n, without ties, give U = 0, 1, ..., m*n.

    These counts are the coefficients of the Gaussian binomial coefficient
    [m+n choose m] in q, built as the product over i = 1..m of
    (1 - q^(n+i)) / (1 - q^i). Every partial product is itself a Gaussian
    binomial, so the division is exact in integers. The cost is
    O(m * m * n), against O((m*n)^2) or more for the usual recurrence over
    (m, n, u).
    """
    if m > n:
        return u_distribution(n, m)  # the distribution is symmetric in m, n
    size = m * n + 1
    coef = [0] * size
    coef[0] = 1
    for i in range(1, m + 1):
        shift = n + i
        for k in range(size - 1, shift - 1, -1):  # multiply by 1 - q^shift
            coef[k] -= coef[k - shift]
        for k in range(i, size):  # divide by 1 - q^i: the inverse of the above
            coef[k] += coef[k - i]
    return tuple(coef)


def min_p_value(n1: int, n2: int) -> float:
    """The smallest two-sided exact p-value samples of these sizes can give
    (every value of one sample below every value of the other). When it is
    at least ALPHA, no difference can be significant."""
    return min(1.0, 2 / math.comb(n1 + n2, n1))


class MannWhitney(NamedTuple):
    u: float  # U of the first sample: pairs (a, b) with a > b, ties count 1/2
    p: float  # two-sided p-value
    method: str  # "exact" or "asymptotic"


def mann_whitney_u(x: Sequence[float], y: Sequence[float],
                   method: str = "auto") -> MannWhitney:
    """Two-sided Mann-Whitney U test of x against y.

    method: "auto" (see the module comment), "exact" or "asymptotic".
    Raises ValueError for an empty sample, an unknown method, or "exact"
    with tied values.
    """
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        raise ValueError("Mann-Whitney U needs at least one value per sample")
    r, ties = ranks(list(x) + list(y))
    u1 = math.fsum(r[:n1]) - n1 * (n1 + 1) / 2
    u_big = max(u1, n1 * n2 - u1)  # the tail both sides are measured from
    if method == "auto":
        exact = not ties and n1 <= EXACT_LIMIT and n2 <= EXACT_LIMIT
        method = "exact" if exact else "asymptotic"
    if method == "exact":
        if ties:
            raise ValueError("the exact Mann-Whitney distribution assumes no ties")
        return MannWhitney(u1, _exact_p(round(u_big), n1, n2), "exact")
    if method == "asymptotic":
        return MannWhitney(u1, _asymptotic_p(u_big, n1, n2, ties), "asymptotic")
    raise ValueError(f"unknown method {method!r}")


def _exact_p(u_big: int, n1: int, n2: int) -> float:
    counts = u_distribution(n1, n2)
    tail = sum(counts[u_big:])
    return min(1.0, 2 * tail / math.comb(n1 + n2, n1))  # int / int rounds once


def _asymptotic_p(u_big: float, n1: int, n2: int, ties: list[int]) -> float:
    n = n1 + n2
    tie_term = sum(t ** 3 - t for t in ties) / (n * (n - 1)) if n > 1 else 0.0
    variance = n1 * n2 / 12 * ((n + 1) - tie_term)
    if variance <= 0:
        return 1.0  # every value equal: nothing tells the samples apart
    z = (u_big - n1 * n2 / 2 - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(z / math.sqrt(2)))  # 2 * P(Z > z)
