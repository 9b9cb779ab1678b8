"""The sweep's product, request bodies and the cache key."""

from __future__ import annotations

import pytest

from batches import configs


def _product(**lists):
    defaults = {
        "models": ["m1"],
        "temperatures": [None],
        "instructions": [""],
        "efforts": [None],
        "limits": [None],
    }
    return configs.config_product(**{**defaults, **lists})


def test_product_is_every_combination_models_slowest():
    product = _product(models=["a", "b"], temperatures=[0.2, 0.9], limits=[10, 20])
    assert len(product) == 8
    assert [c["model"] for c in product[:4]] == ["a"] * 4
    assert (product[0]["temperature"], product[0]["max_output_tokens"]) == (0.2, 10)
    assert (product[-1]["temperature"], product[-1]["max_output_tokens"]) == (0.9, 20)


def test_lists_parse_and_deduplicate():
    assert configs.models_parse(text="a, b ,a") == ["a", "b"]
    assert configs.temperatures_parse(text="0.2,0.9,0.2") == [0.2, 0.9]
    assert configs.temperatures_parse(text="") == [None]
    assert configs.efforts_parse(text="Low, high") == ["low", "high"]
    assert configs.limits_parse(text="100") == [100]
    assert configs.instructions_parse(text="Be brief.\n---\nBe formal.\n") == [
        "Be brief.",
        "Be formal.",
    ]


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (configs.models_parse, " , ", "at least one model"),
        (configs.temperatures_parse, "hot", "not a number"),
        (configs.temperatures_parse, "3", "outside 0-2"),
        (configs.efforts_parse, "extreme", "not one of"),
        (configs.limits_parse, "0", "positive whole number"),
    ],
)
def test_bad_lists_say_why(parse, text, message):
    with pytest.raises(configs.ConfigError, match=message):
        parse(text=text)


def test_body_puts_instructions_before_input_and_applies_overrides():
    config = _product(instructions=["Shared"], temperatures=[0.2])[0]
    body = configs.request_body(
        config=config, prompt="Q", overrides={"temperature": 1.0}, json_schema=None
    )
    assert list(body)[:3] == ["model", "instructions", "input"]
    assert body["temperature"] == 1.0


def test_body_with_schema_asks_for_strict_json():
    body = configs.request_body(
        config=_product()[0], prompt="Q", overrides={}, json_schema={"type": "object"}
    )
    assert body["text"]["format"]["type"] == "json_schema"
    assert body["text"]["format"]["strict"] is True


def test_cache_key_ignores_delivery_and_key_order():
    body = {"model": "m", "input": "Q", "temperature": 0.2}
    same = {"temperature": 0.2, "input": "Q", "model": "m", "store": False, "background": True}
    assert configs.cache_key(body=body) == configs.cache_key(body=same)


@pytest.mark.parametrize(
    "change", [{"model": "m2"}, {"input": "Q2"}, {"temperature": 0.3}, {"instructions": "I"}]
)
def test_cache_key_changes_with_what_decides_the_answer(change):
    body = {"model": "m", "input": "Q", "temperature": 0.2}
    assert configs.cache_key(body=body) != configs.cache_key(body={**body, **change})


def test_label_names_what_varies():
    config = _product(temperatures=[0.2], instructions=["A", "B"])[1]
    assert configs.config_label(config=config, index=1, instructions=["A", "B"]) == (
        "#2 m1 · t=0.2 · instructions 2"
    )
