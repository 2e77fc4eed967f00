import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.scheme import (
    AspectSpec,
    ModuleSpec,
    aspect_problems,
    module_problems,
    parse_tolerances,
    running_total,
    scheme_problems,
)
from app.domain.vocabulary import AspectType

M, J = AspectType.MEASUREMENT, AspectType.JUDGEMENT
FOUR = ("低于行业标准", "符合行业标准", "部分超出标准", "优秀")


def codes(problems: list) -> list[str]:
    return [p.code for p in problems]


def test_a_scheme_that_adds_up_has_no_problems() -> None:
    modules = [
        ModuleSpec("A", (AspectSpec(M, 30), AspectSpec(J, 20, descriptors=FOUR)), share=50),
        ModuleSpec("B", (AspectSpec(M, 49.5), AspectSpec(M, 0.5)), share=50),
    ]
    assert scheme_problems(modules, 100) == []
    assert running_total(modules) == 100


def test_a_total_short_of_100_is_refused_with_both_numbers() -> None:
    problems = scheme_problems([ModuleSpec("A", (AspectSpec(M, 99.5),))], 100)
    assert codes(problems) == ["total_mismatch"]
    assert problems[0].params == {"total": 99.5, "expected": 100}


def test_the_project_total_is_configurable() -> None:
    assert scheme_problems([ModuleSpec("A", (AspectSpec(M, 60),))], 60) == []


@pytest.mark.parametrize("descriptors", [(), FOUR[:3], (*FOUR[:3], "  ")])
def test_a_judgement_aspect_needs_four_descriptors(descriptors: tuple[str, ...]) -> None:
    assert codes(aspect_problems(AspectSpec(J, 3, descriptors=descriptors))) == [
        "descriptors_missing"]


def test_max_marks_go_in_half_steps() -> None:
    assert codes(aspect_problems(AspectSpec(M, 1.25))) == ["max_not_half_step"]
    assert codes(aspect_problems(AspectSpec(M, 0))) == ["max_not_positive"]
    assert aspect_problems(AspectSpec(M, 2.5)) == []


def test_the_aspect_that_takes_a_module_over_its_share_is_named() -> None:
    module = ModuleSpec("C", (AspectSpec(M, 5), AspectSpec(M, 4), AspectSpec(M, 3)), share=10)
    problems = module_problems(module)
    assert [(p.code, p.module, p.aspect) for p in problems] == [("over_module_share", "C", 3)]
    assert problems[0].params == {"share": 10, "total": 12.0}


def test_tolerance_values_must_lie_within_the_max() -> None:
    assert codes(aspect_problems(AspectSpec(M, 2, tolerances=(2, 1, 3)))) == [
        "tolerance_out_of_range"]
    assert codes(aspect_problems(AspectSpec(M, 2, tolerances=(1, 1)))) == ["tolerance_duplicate"]


def test_module_shares_must_add_up_when_every_module_has_one() -> None:
    modules = [ModuleSpec("A", (AspectSpec(M, 50),), share=60),
               ModuleSpec("B", (AspectSpec(M, 50),), share=50)]
    assert "shares_mismatch" in codes(scheme_problems(modules, 100))


def test_duplicate_letters_and_empty_modules_are_reported() -> None:
    modules = [ModuleSpec("A", (AspectSpec(M, 100),)), ModuleSpec("A", ())]
    assert set(codes(scheme_problems(modules, 100))) == {"module_letter_duplicate", "module_empty"}


@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=60))
def test_half_step_totals_are_exact(halves: list[int]) -> None:
    marks = [h / 2 for h in halves]
    modules = [ModuleSpec("A", tuple(AspectSpec(M, m) for m in marks))]
    assert running_total(modules) * 2 == sum(halves)
    assert (scheme_problems(modules, sum(halves) / 2) == [])


def test_tolerance_tables_parse_with_chinese_punctuation() -> None:
    assert parse_tolerances("偏差≤0.1mm=2；偏差≤0.3mm＝1; 超差=0") == (
        ("偏差≤0.1mm", 2.0), ("偏差≤0.3mm", 1.0), ("超差", 0.0))
    assert parse_tolerances("") == ()
    with pytest.raises(ValueError, match="满分"):
        parse_tolerances("满分")
    with pytest.raises(ValueError):
        parse_tolerances("=2")


@pytest.mark.parametrize("text", ["满分=nan", "满分=inf", "满分=两分", "满分=1=", "满分"])
def test_tolerance_values_must_be_plain_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_tolerances(text)


def test_full_width_digits_and_line_breaks_are_accepted() -> None:
    assert parse_tolerances("合格＝２．５\n超差=0") == (("合格", 2.5), ("超差", 0.0))
