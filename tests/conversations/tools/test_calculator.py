"""The calculator: arithmetic without eval, with bounds that keep a call cheap."""

from __future__ import annotations

import pytest

from conversations.tools.base import ToolContext
from conversations.tools.calculator import TOOL, CalculationError, calculate, result_text

CONTEXT = ToolContext(owner_id=1)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1234*5678", "7006652"),
        ("2^10", "1024"),
        ("(1 + 2) * -3", "-9"),
        ("7 // 2 + 7 % 2", "4"),
        ("0.1 + 0.2", "0.3"),
        ("sqrt(16) + abs(-2)", "6"),
        ("round(pi, 2)", "3.14"),
        ("10**9999 // 10**9998", "10"),
        ("1/3", "0.333333333333333"),
    ],
)
def test_values(expression, expected):
    assert result_text(calculate(expression)) == expected


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ('__import__("os").system("id")', "Unsupported in an expression"),
        ("x + 1", "Unsupported in an expression"),
        ("(1).__class__", "Unsupported in an expression"),
        ("1 +", "Not an arithmetic expression"),
        ("1/0", "Division by zero"),
        ("9**9**9", "Exponents are limited"),
        ("(10**5000)**3", "more than 10000 digits"),
        ("True + 1", "not numbers"),
        ("(-8) ** 0.5", "not a real number"),
        ("sqrt(-1)", "sqrt: math domain error"),
        ("1" * 501, "longer than 500"),
    ],
)
def test_refusals_say_why(expression, message):
    with pytest.raises(CalculationError, match=message.replace("(", r"\(")):
        result_text(calculate(expression))


def test_a_too_large_float_is_refused():
    with pytest.raises(CalculationError, match="not a finite number"):
        TOOL.run(CONTEXT, expression="1e308 * 10")


def test_the_tool_shows_the_expression_and_its_value():
    assert TOOL.run(CONTEXT, expression="1234*5678") == "1234*5678 = 7006652"
