"""Unit tests for the soak's pass/fail rules (bench/soak/verdict.py)."""

import collections
import unittest

import verdict


def samples(anon_values, start_t=1):
    """The store's map stays at 4000 KiB; only the heap moves."""
    return [{"t": start_t + i, "rss_kb": v + 4000, "anon_kb": v, "file_kb": 4000}
            for i, v in enumerate(anon_values)]


def judge(anon_values, warmup=2, gate=True, fds=(24, 24), bad=None, unexpected=None,
          exit_ok=True):
    return verdict.judge(samples(anon_values), warmup, 2.0, gate, fds[0], fds[1],
                         collections.Counter(bad or {}), collections.Counter(unexpected or {}),
                         "exit 0", exit_ok)


def by_name(checks):
    return {c.name: c for c in checks}


class Percentile(unittest.TestCase):
    def test_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(verdict.percentile(values, 50), 50)
        self.assertEqual(verdict.percentile(values, 99), 99)
        self.assertEqual(verdict.percentile(values, 100), 100)
        self.assertEqual(verdict.percentile([7], 99.9), 7)
        self.assertIsNone(verdict.percentile([], 50))


class Memory(unittest.TestCase):
    def test_flat_memory_passes(self):
        checks = judge([900, 950] + [1000] * 20)
        self.assertTrue(by_name(checks)["heap"].ok)
        self.assertTrue(verdict.passed(checks))

    def test_warmup_growth_is_ignored(self):
        # Doubling during the warm-up, flat after it.
        checks = judge([500, 800] + [1000] * 20, warmup=3)
        self.assertTrue(by_name(checks)["heap"].ok)

    def test_growth_past_the_limit_fails(self):
        # 1000 -> 1030 kB after the warm-up: +3%.
        checks = judge([1000] * 2 + [1000 + i * 30 / 19 for i in range(20)])
        self.assertFalse(by_name(checks)["heap"].ok)
        self.assertFalse(verdict.passed(checks))

    def test_one_spike_at_the_end_does_not_fail(self):
        # Medians of windows, not single samples.
        checks = judge([1000] * 21 + [2000])
        self.assertTrue(by_name(checks)["heap"].ok)

    def test_not_gated_reports_but_passes(self):
        checks = judge([1000] * 2 + [1000 + i * 10 for i in range(20)], gate=False)
        self.assertIsNone(by_name(checks)["heap"].ok)
        self.assertIn("not gated", by_name(checks)["heap"].detail)
        self.assertTrue(verdict.passed(checks))

    def test_too_few_samples_fails(self):
        self.assertFalse(by_name(judge([1000] * 5))["heap"].ok)

    def test_mapped_file_growth_is_reported_not_gated(self):
        s = [{"t": 1 + i, "anon_kb": 1000, "file_kb": 4000 + 20 * i, "rss_kb": 5000 + 20 * i}
             for i in range(22)]
        checks = by_name(verdict.judge(s, 2, 2.0, True, 24, 24, collections.Counter(),
                                       collections.Counter(), "exit 0", True))
        self.assertTrue(checks["heap"].ok)
        self.assertIsNone(checks["VmRSS"].ok)
        self.assertIn("RssFile", checks["VmRSS"].detail)


class Others(unittest.TestCase):
    def test_fd_growth_fails(self):
        self.assertFalse(by_name(judge([1000] * 22, fds=(24, 25)))["descriptors"].ok)
        self.assertTrue(by_name(judge([1000] * 22, fds=(24, 23)))["descriptors"].ok)

    def test_any_undesigned_5xx_fails(self):
        checks = judge([1000] * 22, bad={("read", 500): 1})
        self.assertFalse(by_name(checks)["5xx"].ok)
        self.assertIn("read 500 x1", by_name(checks)["5xx"].detail)

    def test_unexpected_answers_fail(self):
        self.assertFalse(verdict.passed(judge([1000] * 22, unexpected={("write", 409): 2})))

    def test_unclean_exit_fails(self):
        self.assertFalse(verdict.passed(judge([1000] * 22, exit_ok=False)))


class Recorder(unittest.TestCase):
    """traffic.Recorder's classification of designed and other 5xx."""

    def test_503_needs_retry_after_to_be_designed(self):
        import traffic
        rec = traffic.Recorder(0.0)
        rec.record("login", 503, 0.01, (200,), retry_after="1")
        self.assertEqual(sum(rec.bad_5xx.values()), 0)
        self.assertEqual(sum(rec.unexpected.values()), 0)
        rec.record("login", 503, 0.01, (200,))
        rec.record("read", 500, 0.01, (200,))
        self.assertEqual(rec.bad_5xx, collections.Counter({("login", 503): 1, ("read", 500): 1}))
        self.assertEqual(sum(rec.unexpected.values()), 2)


if __name__ == "__main__":
    unittest.main()
