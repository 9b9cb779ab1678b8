"""Prompt sets: lines, CSV (column or template), JSONL, and bad files named by line."""

from __future__ import annotations

import pytest

from batches.parsing import MAX_PROMPTS, Prompt, PromptsError, prompt_label, prompts_parse


def test_lines_skip_blanks_and_strip():
    assert prompts_parse(text="  one \n\n two\n") == [Prompt(input="one"), Prompt(input="two")]


def test_empty_text_is_an_error():
    with pytest.raises(PromptsError, match="no prompts"):
        prompts_parse(text=" \n ")


def test_csv_prompt_column():
    prompts = prompts_parse(text="id,prompt\n1,Hello\n2,World\n", filename="p.csv")
    assert [p.input for p in prompts] == ["Hello", "World"]


def test_csv_template_fills_columns():
    text = 'text,lang\n"A long, quoted text",fr\nShort,de\n'
    prompts = prompts_parse(text=text, filename="p.csv", template="Summarize in {lang}: {text}")
    assert [p.input for p in prompts] == [
        "Summarize in fr: A long, quoted text",
        "Summarize in de: Short",
    ]


def test_csv_template_with_unknown_column_names_it():
    with pytest.raises(PromptsError, match=r"line 1: the template uses the column 'body'"):
        prompts_parse(text="text\nx\n", filename="p.csv", template="Do {body}")


def test_csv_without_prompt_column_or_template():
    with pytest.raises(PromptsError, match="line 1: a CSV without a template needs"):
        prompts_parse(text="text\nx\n", filename="p.csv")


def test_csv_empty_prompt_names_its_line():
    with pytest.raises(PromptsError, match="line 3: the prompt is empty"):
        prompts_parse(text='prompt\nok\n""\n', filename="p.csv")


def test_csv_extra_values_name_the_line():
    with pytest.raises(PromptsError, match="line 2: more values"):
        prompts_parse(text="prompt\na,b\n", filename="p.csv")


def test_jsonl_string_and_item_list_with_overrides():
    text = (
        '{"input": "Hi", "temperature": 0.1}\n'
        "\n"
        '{"input": [{"role": "user", "content": "Yo"}], "model": "m2"}\n'
    )
    prompts = prompts_parse(text=text, filename="p.jsonl")
    assert prompts[0] == Prompt(input="Hi", overrides={"temperature": 0.1})
    assert prompts[1].overrides == {"model": "m2"}
    assert prompt_label(prompts[1].input) == "Yo"


def test_jsonl_bad_json_names_the_line():
    with pytest.raises(PromptsError, match="line 2: not valid JSON"):
        prompts_parse(text='{"input": "a"}\n{"input": \n', filename="p.jsonl")


def test_jsonl_unknown_key_names_the_line():
    with pytest.raises(PromptsError, match="line 1: unknown key 'temprature'"):
        prompts_parse(text='{"input": "a", "temprature": 1}\n', filename="p.jsonl")


def test_jsonl_missing_input():
    with pytest.raises(PromptsError, match="line 1: 'input' must be"):
        prompts_parse(text='{"model": "m"}\n', filename="p.jsonl")


def test_other_file_types_are_refused():
    with pytest.raises(PromptsError, match=".csv or .jsonl"):
        prompts_parse(text="x", filename="p.xlsx")


def test_more_than_the_maximum_is_refused():
    with pytest.raises(PromptsError, match="more than 10,000"):
        prompts_parse(text="p\n" * (MAX_PROMPTS + 1))


def test_a_csv_row_csv_cannot_read_names_its_line():
    with pytest.raises(PromptsError, match="line 3: field larger than field limit"):
        prompts_parse(text="prompt\nok\n" + "x" * 200_000 + "\n", filename="p.csv")
    with pytest.raises(PromptsError, match="line 2: unexpected end of data"):
        prompts_parse(text='prompt\n"never closed\nnext\n', filename="p.csv")


def test_nul_characters_are_refused_with_their_line():
    with pytest.raises(PromptsError, match="line 3: the text holds a NUL"):
        prompts_parse(text="prompt\nfine\nab\x00c\n", filename="p.csv")
    with pytest.raises(PromptsError, match="line 2: the text holds a NUL"):
        prompts_parse(text='{"input": "ok"}\n{"input": ["a\\u0000"]}\n', filename="p.jsonl")


def test_a_template_field_is_a_column_name_without_format_spec_or_conversion():
    for template in ("{text:>999999999}", "{text!r}", "{text.upper}", "{0}"):
        with pytest.raises(PromptsError, match="must be column names"):
            prompts_parse(text="text\nhi\n", filename="p.csv", template=template)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ('"temperature": 1e999', "'temperature' must be a number from 0 to 2"),
        ('"temperature": NaN', "NaN is not a JSON number"),
        ('"temperature": true', "'temperature' must be a number from 0 to 2"),
        ('"model": 5', "'model' must be a model id"),
        ('"max_output_tokens": 1.5', "'max_output_tokens' must be a positive whole number"),
        ('"reasoning_effort": "max"', "'reasoning_effort' must be one of none, minimal"),
        ('"instructions": ["x"]', "'instructions' must be a string"),
    ],
)
def test_jsonl_overrides_are_checked_by_type_and_range(override, message):
    with pytest.raises(PromptsError, match=f"line 1: .*{message}"):
        prompts_parse(text='{"input": "a", ' + override + "}\n", filename="p.jsonl")


def test_jsonl_nested_too_deeply_names_its_line():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(PromptsError, match="line 1: the JSON is nested too deeply"):
        prompts_parse(text='{"input": ' + deep + "}\n", filename="p.jsonl")
