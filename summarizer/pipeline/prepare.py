"""Prepare an article for the model: find the evidence, render the prompt, fit it, else split.

``plan`` is the one place that decides between one call and a split: every caller (summarize,
the batch runner, ``tokens``, ``render``, ``estimate``, the Batch API writer) asks it, so they
all see the prompts that would really be sent.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.attribution import analyze, language_name
from summarizer.config import Settings
from summarizer.errors import BudgetError, InputError
from summarizer.llm import Mode, shared_json_schema
from summarizer.pipeline.answer import answer_schema
from summarizer.pipeline.evidence import Evidence, marked
from summarizer.pipeline.split import split_article
from summarizer.schema import Article, Draft
from summarizer.templates import Message, Templates
from summarizer.tokens import Tokenizer, check_budget, context_window, framed, tokenizer_for

__all__ = [
    "Plan",
    "Prepared",
    "article_sha256",
    "as_article",
    "output_language",
    "plan",
    "prepare",
    "template_sha256",
    "templates_for",
]

_SPLIT_ATTEMPTS = 3


@dataclass(frozen=True)
class Prepared:
    """One prompt ready to send: the rendered messages, their token counts, the evidence shown."""

    article: Article
    messages: list[Message]
    message_tokens: list[int]
    prompt_tokens: int
    budget: int
    template: str
    template_sha256: str
    templates: Templates
    variables: dict[str, Any]
    evidence: Evidence

    def messages_for(self, include_schema: bool) -> list[Message]:
        """The messages with or without the JSON schema in the prompt (JSON mode needs it)."""
        if include_schema == self.variables["include_schema"]:
            return self.messages
        variables = {**self.variables, "include_schema": include_schema}
        return self.templates.render_task(self.template, variables).messages

    def answer_schema(self, mode: Mode) -> dict[str, Any]:
        """The answer's schema for this prompt's evidence (``pipeline.answer``)."""
        return answer_schema(self.evidence, mode, max_actors=self.variables["max_actors"])


@dataclass(frozen=True)
class Plan:
    """What summarising an article takes: one prompt, or one per part of a long article.

    ``evidence`` covers the whole article; each part's prompt shows the subset inside it, with
    the same ids.
    """

    article: Article
    evidence: Evidence
    parts: list[Prepared]

    @property
    def split(self) -> bool:
        return len(self.parts) > 1


@functools.lru_cache(maxsize=16)
def templates_for(prompts_dir: Path | None) -> Templates:
    """One Templates per folder, so Jinja compiles each template once per process rather than
    once per article (it still reloads a template whose file changed)."""
    return Templates(prompts_dir)


def template_sha256(settings: Settings) -> str:
    """The sha256 of the prompt templates the settings select (what results record)."""
    return templates_for(settings.prompts_dir).sha256(settings.template)


def output_language(settings: Settings, detected: str) -> str:
    """The language the summary is written in: the one set (``--language``), else the
    article's own ("de" -> "German")."""
    return settings.language or language_name(detected)


def as_article(article: str | Article, *, source: str = "article") -> Article:
    """Accept plain text or an Article; refuse empty text."""
    if isinstance(article, str):
        article = Article(text=article)
    if not article.text.strip():
        raise InputError(
            "the article text is empty. Pass the article's text.", source=article.id or source
        )
    return article


def article_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def plan(article: str | Article, *, settings: Settings, templates: Templates | None = None) -> Plan:
    """The prompts summarising ``article`` sends (before a split article's reduce call).

    Raises:
        InputError: The article is empty.
        TemplateError: A template is missing or broken.
        BudgetError: Too long for one call and splitting is off (``max_parts`` 1), or no
            part fits.
    """
    article = as_article(article)
    templates = templates or templates_for(settings.prompts_dir)
    evidence = Evidence.from_attribution(analyze(article.text, language=article.language))
    try:
        whole = prepare(article, settings=settings, templates=templates, evidence=evidence)
        return Plan(article, evidence, [whole])
    except BudgetError:
        if settings.max_parts < 2:
            raise
    parts = _prepare_parts(article, evidence, settings=settings, templates=templates)
    return Plan(article, evidence, parts)


def prepare(
    article: str | Article,
    *,
    settings: Settings,
    templates: Templates | None = None,
    evidence: Evidence | None = None,
) -> Prepared:
    """Render the prompt for an article (or a part of one) and check it fits the window.

    Args:
        evidence: What the engine found, to show in the prompt; found here if not given.

    Raises:
        InputError: The article is empty.
        TemplateError: A template is missing or broken.
        BudgetError: Prompt plus output allowance exceed the context window.
    """
    article = as_article(article)
    templates = templates or templates_for(settings.prompts_dir)
    if evidence is None:
        evidence = Evidence.from_attribution(analyze(article.text, language=article.language))
    variables: dict[str, Any] = {
        "article": article.text.strip(),
        "title": article.title,
        "max_actors": settings.max_actors,
        "language": output_language(settings, evidence.language),
        "article_language": evidence.language,
        "summary_sentences": settings.summary_sentences,
        "schema": _draft_schema_json(),
        "include_schema": settings.output_mode == "json_object",
        "evidence": evidence.for_prompt(),
    }
    # For templates that show the ids inside the article rather than (or beside) the list.
    variables["marked_article"] = marked(variables["article"], evidence)
    rendered = templates.render_task(settings.template, variables)
    tokenizer = tokenizer_for(settings.model, download=settings.tiktoken_download)
    message_tokens = [_count(tokenizer, m) for m in rendered.messages]
    prompt_tokens = framed(message_tokens)
    window = context_window(settings.model, settings.context_window)
    needed = prompt_tokens
    if settings.output_mode == "auto":
        # A fallback to JSON mode puts the schema in the prompt: budget for the larger prompt.
        with_schema = templates.render_task(
            settings.template, {**variables, "include_schema": True}
        )
        counted = {m["content"]: n for m, n in zip(rendered.messages, message_tokens, strict=True)}
        needed = framed(
            counted.get(m["content"]) or _count(tokenizer, m) for m in with_schema.messages
        )
    check_budget(needed, settings.max_output_tokens, window, model=settings.model)
    return Prepared(
        article=article,
        messages=rendered.messages,
        message_tokens=message_tokens,
        prompt_tokens=prompt_tokens,
        budget=window,
        template=rendered.template,
        template_sha256=rendered.sha256,
        templates=templates,
        variables=variables,
        evidence=evidence,
    )


def _prepare_parts(
    article: Article, evidence: Evidence, *, settings: Settings, templates: Templates
) -> list[Prepared]:
    """Split the article into parts whose prompts fit, each rendered like a whole article with
    the evidence inside it.

    The budget per part is the window minus the output allowance minus the prompt around the
    article (measured on a one-word article without evidence). Should a part's prompt still
    not fit (its evidence and the template add text that grows with it), split again with a
    smaller budget.

    Raises:
        BudgetError: No part fits, or the article needs more than ``max_parts`` parts.
    """
    # json_object puts the schema in the prompt; auto mode may fall back to it.
    mode = "json_schema" if settings.output_mode == "json_schema" else "json_object"
    empty = prepare(
        article.model_copy(update={"text": "."}),
        settings=settings.model_copy(update={"output_mode": mode}),
        templates=templates,
        evidence=Evidence(),
    )
    budget = empty.budget - settings.max_output_tokens - empty.prompt_tokens
    tokenizer = tokenizer_for(settings.model, download=settings.tiktoken_download)
    for attempt in range(_SPLIT_ATTEMPTS):
        if budget < 1:
            break
        parts = split_article(
            article.text,
            budget=budget,
            tokenizer=tokenizer,
            overlap=settings.split_overlap,
            max_parts=settings.max_parts,
        )
        prepared: list[Prepared] = []
        for part in parts:
            try:
                prepared.append(
                    prepare(
                        article.model_copy(update={"text": part.text}),
                        settings=settings,
                        templates=templates,
                        evidence=evidence.within(part.start, part.end),
                    )
                )
            except BudgetError as exc:
                if attempt == _SPLIT_ATTEMPTS - 1:
                    raise
                # A part's evidence grows with its text: shrink the article budget in
                # proportion to this part's overflow, so the next cut leaves room for both.
                room = exc.budget - settings.max_output_tokens - empty.prompt_tokens
                used = exc.tokens - settings.max_output_tokens - empty.prompt_tokens
                budget = min(budget - 32, int(part.tokens * room / max(used, 1) * 0.95))
                break
        else:
            return prepared
    raise BudgetError(
        f"No room left for the article in a {empty.budget}-token context window: the prompt "
        f"around it needs {empty.budget - settings.max_output_tokens - budget} tokens and the "
        f"answer {settings.max_output_tokens}. Lower SUMMARIZER_MAX_OUTPUT_TOKENS, shorten "
        "the template, or use a model with a larger window.",
        tokens=empty.budget - budget,
        budget=empty.budget,
    )


@functools.cache
def _draft_schema_json() -> str:
    return json.dumps(shared_json_schema(Draft), ensure_ascii=False)


_STATIC_COUNTS: dict[tuple[str, str], int] = {}


def _count(tokenizer: Tokenizer, message: Message) -> int:
    """Tokens in a message's content; system prompts repeat for every article, so remember
    their counts (the article-bearing user messages never repeat, so they are not kept)."""
    if message["role"] != "system":
        return tokenizer.count(message["content"])
    key = (tokenizer.name, message["content"])
    if (count := _STATIC_COUNTS.get(key)) is None:
        if len(_STATIC_COUNTS) >= 64:  # a handful of system prompts per process; stay small
            _STATIC_COUNTS.clear()
        count = _STATIC_COUNTS[key] = tokenizer.count(message["content"])
    return count
