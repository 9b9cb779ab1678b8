"""`calculator`: arithmetic parsed with `ast` and evaluated node by node, never `eval`."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

from conversations.tools.base import Tool, ToolContext

MAX_EXPRESSION_LENGTH = 500
# Bounds that keep one call cheap: 9**9**9 alone would take minutes and hundreds of megabytes.
MAX_EXPONENT = 10_000
MAX_DIGITS = 10_000
MAX_BITS = int(MAX_DIGITS * math.log2(10)) + 1

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "abs": abs,
    "round": round,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}


class CalculationError(ValueError):
    """The expression is not arithmetic this tool evaluates, or has no finite value."""


def calculate(expression: str) -> int | float:
    """The value of an arithmetic expression (`^` is a power, as people write it)."""
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise CalculationError(f"The expression is longer than {MAX_EXPRESSION_LENGTH} characters.")
    try:
        tree = ast.parse(expression.replace("^", "**").replace("×", "*"), mode="eval")
    except SyntaxError:
        raise CalculationError(f"Not an arithmetic expression: {expression!r}.") from None
    return _value(tree.body)


def _value(node: ast.AST) -> int | float:
    match node:
        case ast.Constant(value=bool()):
            raise CalculationError("True and False are not numbers here.")
        case ast.Constant(value=int() | float() as number):
            return number
        case ast.Name(id=name) if name in _CONSTANTS:
            return _CONSTANTS[name]
        case ast.UnaryOp(op=op, operand=operand) if type(op) in _UNARY:
            return _UNARY[type(op)](_value(operand))
        case ast.BinOp(left=left, op=op, right=right) if type(op) in _BINARY:
            return _binary(type(op), _value(left), _value(right))
        case ast.Call(func=ast.Name(id=name), args=args, keywords=[]) if name in _FUNCTIONS:
            return _call(name, [_value(arg) for arg in args])
    raise CalculationError(f"Unsupported in an expression: {ast.unparse(node)!r}.")


def _binary(kind: type[ast.operator], left: int | float, right: int | float) -> int | float:
    if kind is ast.Pow and abs(right) > MAX_EXPONENT:
        raise CalculationError(f"Exponents are limited to {MAX_EXPONENT}.")
    # Checked before computing: the power of a large integer is what takes the time.
    if (
        kind is ast.Pow
        and isinstance(left, int)
        and right > 0
        and (abs(left).bit_length() - 1) * right > MAX_BITS
    ):
        raise CalculationError(f"The result has more than {MAX_DIGITS} digits.")
    try:
        result = _BINARY[kind](left, right)
    except ZeroDivisionError:
        raise CalculationError("Division by zero.") from None
    except OverflowError:
        raise CalculationError("The result is too large.") from None
    if isinstance(result, complex):
        raise CalculationError("The result is not a real number.")
    if isinstance(result, int) and result.bit_length() > MAX_BITS:
        raise CalculationError(f"The result has more than {MAX_DIGITS} digits.")
    return result


def _call(name: str, args: list[int | float]) -> int | float:
    try:
        return _FUNCTIONS[name](*args)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CalculationError(f"{name}: {exc}.") from None


def result_text(value: int | float) -> str:
    """A value as people read it: integers exact, other numbers to 15 significant digits."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CalculationError("The result is not a finite number.")
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    return str(value)


def _run(context: ToolContext, *, expression: str) -> str:
    return f"{expression} = {result_text(calculate(expression))}"


TOOL = Tool(
    name="calculator",
    description=(
        "Evaluate an arithmetic expression exactly: + - * / // % ** (or ^), parentheses, "
        "sqrt, exp, log, log10, sin, cos, tan, abs, round, pi, e."
    ),
    parameters={
        "type": "object",
        "properties": {"expression": {"type": "string", "description": "For example 1234*5678."}},
        "required": ["expression"],
        "additionalProperties": False,
    },
    run=_run,
)
