"""Agreement and bootstrap statistics against published reference values."""

import math

import pytest

from careerpilot.evals.stats import cohen_kappa, krippendorff_alpha, paired_bootstrap

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units.
_ = None
CODERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]
UNITS = [list(unit) for unit in zip(*CODERS, strict=True)]


@pytest.mark.parametrize(
    ("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_krippendorff_alpha_matches_the_published_example(level: str, expected: float) -> None:
    assert krippendorff_alpha(UNITS, level=level) == pytest.approx(expected, abs=0.001)  # type: ignore[arg-type]


def test_krippendorff_alpha_edge_cases() -> None:
    assert krippendorff_alpha([[3, 3], [4, 4], [1, 1, None]]) == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([[3, None], [None, 4]]))  # nothing rated twice


def test_cohen_kappa() -> None:
    assert cohen_kappa([0, 1, 1, 0, 1], [0, 1, 0, 0, 1]) == pytest.approx(0.32 / 0.52)
    assert cohen_kappa(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    # Quadratic weights: an off-by-one disagreement costs less than an off-by-four one.
    near = cohen_kappa([1, 2, 3, 4, 5], [2, 2, 3, 4, 5], weights="quadratic")
    far = cohen_kappa([1, 2, 3, 4, 5], [5, 2, 3, 4, 5], weights="quadratic")
    assert 0 < far < near < 1
    # Systematic opposite ratings are worse than chance.
    assert cohen_kappa([1, 2, 1, 2], [2, 1, 2, 1]) < 0


def test_paired_bootstrap_finds_a_real_regression_and_not_noise() -> None:
    before = [1.0] * 40 + [0.0] * 10
    worse = [0.0] * 20 + [1.0] * 20 + [0.0] * 10
    regression = paired_bootstrap(before, worse)
    assert regression.mean == pytest.approx(-0.4)
    assert regression.high < 0 and regression.excludes_zero()
    one_flip = paired_bootstrap(before, [0.0, *before[1:]])
    assert not one_flip.excludes_zero()  # one item changing is within the noise
    same = paired_bootstrap(before, before)
    assert (same.mean, same.low, same.high) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="same length"):
        paired_bootstrap([1.0], [1.0, 2.0])
