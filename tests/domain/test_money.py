"""The money rules of docs/money-and-rules.md, with exact amounts and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.money import allocate, bp_of, parse_yuan, yuan


def test_bp_of_rounds_down_in_the_merchants_favour():
    assert bp_of(9999, 1000) == 999
    assert bp_of(29997, 1000) == 2999
    assert bp_of(29997, 500) == 1499
    assert bp_of(19998, 1000) == 1999
    assert bp_of(19998, 500) == 999
    assert bp_of(1, 9999) == 0


def test_bp_of_refuses_floats_and_negatives():
    with pytest.raises(TypeError):
        bp_of(10.5, 100)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bp_of(100, 10.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        bp_of(-1, 100)


def test_bp_of_refuses_a_negative_rate_rather_than_paying_a_negative_share():
    # Without the guard, 100 fen at -1 bp would floor to -1 fen: a commission that takes money back.
    with pytest.raises(ValueError):
        bp_of(100, -1)
    with pytest.raises(ValueError):
        bp_of(0, -10_000)


def test_allocate_gives_leftover_fen_to_largest_remainders_then_lower_index():
    # 2000 over 3 equal lines: 666 each, 2 fen left → lines 0 and 1 (ties go to the lower index).
    assert allocate(2000, [100, 100, 100]) == [667, 667, 666]
    # 100 over 3:7 → 30 and 70 exactly.
    assert allocate(100, [3000, 7000]) == [30, 70]
    # 10 over [1, 1, 1] remainders equal → [4, 3, 3].
    assert allocate(10, [1, 1, 1]) == [4, 3, 3]
    # Largest remainder wins over index: 5 over [1, 2] → 1.67 / 3.33 → [2, 3].
    assert allocate(5, [1, 2]) == [2, 3]


def test_allocate_edge_cases():
    assert allocate(0, [5, 5]) == [0, 0]
    assert allocate(0, []) == []
    assert allocate(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError):
        allocate(5, [0, 0])
    with pytest.raises(ValueError):
        allocate(-1, [1])


weights = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30).filter(lambda w: sum(w) > 0)


@given(total=st.integers(min_value=0, max_value=10**12), w=weights)
def test_allocate_parts_always_sum_to_the_total_and_are_never_negative(total, w):
    parts = allocate(total, w)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    assert len(parts) == len(w)


@given(total=st.integers(min_value=0, max_value=10**12), w=weights)
def test_allocate_is_deterministic_and_proportional_within_one_fen(total, w):
    parts = allocate(total, w)
    assert parts == allocate(total, list(w))
    s = sum(w)
    for p, wi in zip(parts, w, strict=True):
        exact_floor = total * wi // s
        assert exact_floor <= p <= exact_floor + 1
        if wi == 0:
            assert p == 0


@given(total=st.integers(min_value=0, max_value=10**9), w=weights)
def test_allocate_never_gives_a_line_more_than_its_weight_when_total_fits(total, w):
    # A discount never exceeds the goods it is spread over.
    if total <= sum(w):
        assert all(p <= wi for p, wi in zip(allocate(total, w), w, strict=True))


@given(amount=st.integers(min_value=0, max_value=10**12), bp=st.integers(min_value=0, max_value=10_000))
def test_bp_of_is_the_floor_of_the_exact_share(amount, bp):
    result = bp_of(amount, bp)
    assert result * 10_000 <= amount * bp < (result + 1) * 10_000


def test_yuan_round_trip():
    assert yuan(12345) == "123.45"
    assert yuan(5) == "0.05"
    assert yuan(-150) == "-1.50"
    assert parse_yuan("123.45") == 12345
    assert parse_yuan("¥1,299.9") == 129990
    assert parse_yuan("7") == 700
    with pytest.raises(ValueError):
        parse_yuan("1.234")
    with pytest.raises(ValueError):
        parse_yuan("abc")
