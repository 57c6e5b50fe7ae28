"""The mutation run's bookkeeping (reliability/mutation.py): a survivor is reported by the line it changes, and
only a listed, reasoned, current entry makes it equivalent."""

from __future__ import annotations

from reliability import mutation

ORIGINAL = "def x_limit__mutmut_orig(count):\n    total = count + 1\n    return total > 10\n"
MUTANT = "def x_limit__mutmut_3(count):\n    total = count + 1\n    return total >= 10\n"


def test_mutation_survivor_is_reported_by_the_line_it_changes_as_changed() -> None:
    sources = {"x_limit__mutmut_orig": ORIGINAL, "x_limit__mutmut_3": MUTANT}
    assert mutation.changed_line("shared.config.x_limit__mutmut_3", sources) == "return total >= 10"
    assert mutation.changed_line("shared.config.x_limit__mutmut_4", sources) == ""


def test_mutation_equivalents_each_name_a_mutated_function_a_changed_line_and_why() -> None:
    for (function, line), reason in mutation.equivalents().items():
        assert mutation.module_of(function + "__mutmut_1") is not None, f"{function} is not mutated any more"
        assert line.strip() and reason.strip(), function
