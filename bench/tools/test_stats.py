"""Unit tests for keelbench.stats and the row logic of keelbench.compare.

Reference p-values come from the scipy.stats.mannwhitneyu documentation
(males/females example), from R's wilcox.test, or are derived by hand in
the comments; an exhaustive enumeration of all orderings is the independent
oracle for the exact distribution.
"""

import itertools
import math
import random
import unittest

from keelbench import compare, stats

MALES = [19, 22, 16, 29, 24]  # scipy.stats.mannwhitneyu docs
FEMALES = [20, 11, 17, 12]


def brute_force_p(x, y):
    """Two-sided p by trying every split of the pooled values (no ties): the
    share of splits whose larger U is at least the observed one. Above the
    centre that is both tails, 2 * P(U >= observed); at the centre it is 1."""
    pooled, n1 = x + y, len(x)

    def u_big(a, b):
        u = sum(1 for i in a for j in b if i > j)
        return max(u, len(a) * len(b) - u)

    observed = u_big(x, y)
    hits = total = 0
    for chosen in itertools.combinations(range(len(pooled)), n1):
        a = [pooled[i] for i in chosen]
        b = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        total += 1
        hits += u_big(a, b) >= observed
    return hits / total


class MedianTest(unittest.TestCase):
    def test_odd_count_is_the_middle_value(self):
        self.assertEqual(stats.median([5, 1, 3]), 3)

    def test_even_count_is_the_mean_of_the_middle_two(self):
        self.assertEqual(stats.median([4, 1, 3, 2]), 2.5)

    def test_single_value(self):
        self.assertEqual(stats.median([7.5]), 7.5)

    def test_does_not_reorder_its_input(self):
        values = [3, 1, 2]
        stats.median(values)
        self.assertEqual(values, [3, 1, 2])

    def test_empty_raises(self):
        with self.assertRaises(ValueError):
            stats.median([])


class GeomeanTest(unittest.TestCase):
    def test_known_values(self):
        self.assertAlmostEqual(stats.geomean([1, 100]), 10.0)
        self.assertAlmostEqual(stats.geomean([2, 8]), 4.0)
        self.assertAlmostEqual(stats.geomean([3, 3, 3]), 3.0)
        self.assertAlmostEqual(stats.geomean([1, 2, 4, 8]), 2 ** 1.5)

    def test_huge_values_do_not_overflow(self):
        self.assertAlmostEqual(stats.geomean([1e300, 1e300, 1e300]) / 1e300, 1.0)

    def test_rejects_empty_zero_and_negative(self):
        for bad in ([], [1, 0], [2, -1]):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                stats.geomean(bad)


class SpreadTest(unittest.TestCase):
    def test_largest_distance_from_the_median(self):
        self.assertAlmostEqual(stats.spread_pct([90, 100, 105]), 10.0)

    def test_zero_median_gives_zero(self):
        self.assertEqual(stats.spread_pct([0, 0, 1]), 0.0)


class RanksTest(unittest.TestCase):
    def test_ties_share_their_average_rank(self):
        r, ties = stats.ranks([10, 20, 20, 30, 20, 5])
        self.assertEqual(r, [2, 4, 4, 6, 4, 1])
        self.assertEqual(ties, [3])

    def test_no_ties(self):
        r, ties = stats.ranks([3.5, 1.5, 2.5])
        self.assertEqual(r, [3, 1, 2])
        self.assertEqual(ties, [])


class ExactDistributionTest(unittest.TestCase):
    def test_four_and_four_matches_the_published_table(self):
        # Counts of U = 0..16 among the C(8,4) = 70 orderings.
        self.assertEqual(stats.u_distribution(4, 4),
                         (1, 1, 2, 3, 5, 5, 7, 7, 8, 7, 7, 5, 5, 3, 2, 1, 1))

    def test_matches_enumeration_of_every_ordering(self):
        for m in range(1, 6):
            for n in range(1, 6):
                counts = [0] * (m * n + 1)
                for chosen in itertools.combinations(range(m + n), m):
                    # U = pairs (x, y) with x above y: for each x, the ys below it.
                    counts[sum(c - k for k, c in enumerate(chosen))] += 1
                with self.subTest(m=m, n=n):
                    self.assertEqual(stats.u_distribution(m, n), tuple(counts))

    def test_sums_to_the_binomial_and_is_symmetric(self):
        for m, n in ((7, 3), (12, 12), (20, 9)):
            counts = stats.u_distribution(m, n)
            self.assertEqual(sum(counts), math.comb(m + n, m))
            self.assertEqual(counts, counts[::-1])
            self.assertEqual(counts, stats.u_distribution(n, m))


class MannWhitneyExactTest(unittest.TestCase):
    def test_fully_separated_five_and_five(self):
        # Only 1 of C(10,5) = 252 orderings per tail is this extreme.
        res = stats.mann_whitney_u([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        self.assertEqual(res.method, "exact")
        self.assertEqual(res.u, 0)
        self.assertAlmostEqual(res.p, 2 / 252, places=15)
        self.assertAlmostEqual(res.p, 0.0079365, places=6)

    def test_argument_order_does_not_change_p(self):
        a = stats.mann_whitney_u([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])
        self.assertEqual(a.u, 25)
        self.assertAlmostEqual(a.p, 2 / 252, places=15)

    def test_scipy_documentation_example(self):
        res = stats.mann_whitney_u(MALES, FEMALES, method="exact")
        self.assertEqual(res.u, 17.0)
        self.assertAlmostEqual(res.p, 0.1111111111111111, places=15)

    def test_three_and_three_cannot_go_below_one_tenth(self):
        res = stats.mann_whitney_u([1, 2, 3], [4, 5, 6])
        self.assertAlmostEqual(res.p, 0.1, places=15)
        self.assertAlmostEqual(stats.min_p_value(3, 3), 0.1, places=15)
        self.assertAlmostEqual(stats.min_p_value(4, 4), 2 / 70, places=15)

    def test_interleaved_samples(self):
        # U1 = 6, U2 = 10; counts for U >= 10 in the 4+4 table sum to 24.
        res = stats.mann_whitney_u([1, 3, 5, 7], [2, 4, 6, 8])
        self.assertEqual(res.u, 6)
        self.assertAlmostEqual(res.p, 48 / 70, places=15)

    def test_centre_of_the_distribution_is_p_one(self):
        self.assertEqual(stats.mann_whitney_u([1, 4], [2, 3]).p, 1.0)

    def test_single_values(self):
        self.assertEqual(stats.mann_whitney_u([1], [2]).p, 1.0)

    def test_matches_a_permutation_test_on_random_samples(self):
        rng = random.Random(7)
        for _ in range(40):
            n1, n2 = rng.randint(1, 6), rng.randint(1, 6)
            pool = rng.sample(range(1000), n1 + n2)
            x, y = pool[:n1], pool[n1:]
            with self.subTest(x=x, y=y):
                self.assertAlmostEqual(stats.mann_whitney_u(x, y).p, brute_force_p(x, y),
                                       places=12)

    def test_exact_refuses_ties(self):
        with self.assertRaises(ValueError):
            stats.mann_whitney_u([1, 2], [2, 3], method="exact")


class MannWhitneyAsymptoticTest(unittest.TestCase):
    def test_scipy_documentation_example(self):
        res = stats.mann_whitney_u(MALES, FEMALES, method="asymptotic")
        self.assertAlmostEqual(res.p, 0.11134688653314041, places=12)

    def test_r_wilcox_test_without_exact(self):
        # R: wilcox.test(c(1,2,3), c(4,5,6), exact=FALSE)$p.value = 0.08086
        res = stats.mann_whitney_u([1, 2, 3], [4, 5, 6], method="asymptotic")
        self.assertAlmostEqual(res.p, 0.0808556, places=6)

    def test_four_and_four_separated(self):
        # z = (16 - 8 - 0.5) / sqrt(16 * 9 / 12) = 7.5 / sqrt(12)
        res = stats.mann_whitney_u([1, 2, 3, 4], [5, 6, 7, 8], method="asymptotic")
        self.assertAlmostEqual(res.p, math.erfc(7.5 / math.sqrt(12) / math.sqrt(2)), places=15)
        self.assertAlmostEqual(res.p, 0.030382821976577504, places=12)

    def test_ties_use_the_corrected_variance(self):
        # Ranks 1, 3, 3 | 3, 5, 6: U1 = 1, U2 = 8. One tie group of 3:
        # var = 3*3/12 * (7 - (27 - 3) / (6*5)) = 4.65; z = (8 - 4.5 - 0.5) / sqrt(4.65).
        res = stats.mann_whitney_u([1, 2, 2], [2, 3, 4])
        self.assertEqual(res.method, "asymptotic")
        self.assertEqual(res.u, 1.0)
        z = 3 / math.sqrt(4.65)
        self.assertAlmostEqual(res.p, math.erfc(z / math.sqrt(2)), places=15)
        self.assertAlmostEqual(res.p, 0.1641597, places=6)

    def test_identical_samples_give_p_one(self):
        self.assertEqual(stats.mann_whitney_u([5, 5, 5], [5, 5, 5]).p, 1.0)
        self.assertEqual(stats.mann_whitney_u([1, 2, 3, 4], [1, 2, 3, 4]).p, 1.0)

    def test_large_samples_use_the_approximation(self):
        x = [float(i) for i in range(60)]
        y = [i + 30.5 for i in range(60)]
        res = stats.mann_whitney_u(x, y)
        self.assertEqual(res.method, "asymptotic")
        self.assertLess(res.p, 1e-6)

    def test_exact_and_approximation_agree_at_fifty(self):
        x = [float(2 * i) for i in range(50)]
        y = [2 * i + 9.5 for i in range(50)]
        exact = stats.mann_whitney_u(x, y)
        approx = stats.mann_whitney_u(x, y, method="asymptotic")
        self.assertEqual(exact.method, "exact")
        self.assertAlmostEqual(exact.p, approx.p, delta=0.01)

    def test_bad_input_raises(self):
        with self.assertRaises(ValueError):
            stats.mann_whitney_u([], [1])
        with self.assertRaises(ValueError):
            stats.mann_whitney_u([1], [2], method="fisher")


class RowTest(unittest.TestCase):
    """compare.make_row: the change, its significance and direction."""

    def test_lower_is_better_drop_is_better(self):
        row = compare.make_row("a", [10, 11, 12, 13, 14], [5, 6, 7, 8, 9], False)
        self.assertAlmostEqual(row.delta_pct, (7 - 12) / 12 * 100)
        self.assertTrue(row.significant)
        self.assertEqual(row.verdict, "better")

    def test_higher_is_better_drop_is_worse(self):
        row = compare.make_row("a", [10, 11, 12, 13, 14], [5, 6, 7, 8, 9], True)
        self.assertEqual(row.verdict, "worse")

    def test_overlap_is_not_significant(self):
        row = compare.make_row("a", [1, 3, 5, 7, 9], [2, 4, 6, 8, 10], False)
        self.assertFalse(row.significant)
        self.assertEqual(row.verdict, "")

    def test_single_sample_is_never_significant(self):
        row = compare.make_row("a", [100], [1, 2, 3, 4, 5], False)
        self.assertIsNone(row.p)
        self.assertFalse(row.significant)
        self.assertEqual(row.verdict, "")
        self.assertAlmostEqual(row.delta_pct, -97.0)

    def test_three_and_three_is_flagged_as_underpowered(self):
        row = compare.make_row("a", [1, 2, 3], [10, 11, 12], False)
        self.assertFalse(row.significant)
        self.assertTrue(row.underpowered)

    def test_zero_old_median_has_no_percentage(self):
        row = compare.make_row("a", [0, 0, 0], [1, 1, 1], False)
        self.assertIsNone(row.delta_pct)


if __name__ == "__main__":
    unittest.main()
