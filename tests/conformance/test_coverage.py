"""Golden coverage (after Sonnet's ``conformance/``): every named variant has a golden case,
so every test that loops over ``GOLDEN_CASES`` (save/load, XLA, export, stored saves)
covers it."""

from seqkit.conformance import GOLDEN_CASES, uncovered_variants
from seqkit.layers import VARIANTS


def test_every_variant_has_a_golden_case():
    missing = uncovered_variants()
    assert not missing, (
        f"seqkit.layers.VARIANTS names without a golden case: {missing}; add a "
        "GoldenCase for each to GOLDEN_CASES in seqkit/conformance.py")


def test_a_new_variant_without_a_golden_case_is_reported():
    assert uncovered_variants([*VARIANTS, "brand_new_cell"]) == ["brand_new_cell"]


def test_golden_cases_have_unique_names_and_known_cells():
    names = [case.name for case in GOLDEN_CASES]
    assert len(names) == len(set(names)), names
    unknown = sorted({case.cell for case in GOLDEN_CASES} - set(VARIANTS))
    assert not unknown, f"golden cases name cells that VARIANTS lacks: {unknown}"
