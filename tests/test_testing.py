"""summarizer.testing: the fake LLM newsroom scripts use in their own tests."""

from __future__ import annotations

import pytest

from summarizer import LLMError, Settings, summarize
from summarizer.testing import FakeLLM

SETTINGS = Settings(api_key="sk-test-not-real")


def test_readme_example() -> None:
    fake = FakeLLM([{"issue": "Q?", "summary": "S.", "positions": []}])
    result = summarize("Article text.", settings=SETTINGS, client=fake)
    assert "<article>\nArticle text.\n</article>" in fake.requests[0].messages[-1]["content"]
    assert (result.issue, result.summary) == ("Q?", "S.")


def test_scripted_errors_are_raised_like_a_real_endpoint() -> None:
    fake = FakeLLM([LLMError("HTTP 429: slow down", status=429, reason="rate_limit")])
    with pytest.raises(LLMError) as info:
        summarize("Article text.", settings=SETTINGS, client=fake)
    assert info.value.status == 429


def test_default_answer_is_built_from_each_request() -> None:
    fake = FakeLLM()
    first = summarize("Storm hits coast. Many flee.", settings=SETTINGS, client=fake)
    second = summarize("Budget passes. Unions object.", settings=SETTINGS, client=fake)
    assert first.summary == "Storm hits coast."
    assert second.summary == "Budget passes."
    assert len(fake.requests) == 2


def test_custom_default_sees_the_request() -> None:
    def answer(request: object) -> dict[str, object]:
        return {"issue": "Custom?", "summary": "From a callable.", "positions": []}

    result = summarize("Text.", settings=SETTINGS, client=FakeLLM(default=answer))
    assert result.issue == "Custom?"
