"""Articles too long for one call: one call per part, drafts merged, one reduce call.

``prepare.plan`` decides to split and renders each part with the evidence inside it (ids shared
with the whole article); here the parts are asked, their drafts merged by actor
(``merge.merge_positions``) and one small call writes the issue and summary of the whole.
The merged draft is resolved against the whole article like a one-call answer.
"""

from __future__ import annotations

import asyncio

from summarizer.config import Settings
from summarizer.llm import ChatModel, Structured
from summarizer.pipeline.call import ask
from summarizer.pipeline.merge import merge_positions, reduce
from summarizer.pipeline.prepare import Plan, Prepared, output_language
from summarizer.schema import Draft

__all__ = ["PART_CONCURRENCY", "ask_parts"]

PART_CONCURRENCY = 4
"""Most parts of one article in flight at once (the batch runner multiplies this)."""


async def ask_parts(plan: Plan, settings: Settings, client: ChatModel) -> Structured[Draft]:
    """One merged draft for a split article, with the calls' usage and attempts summed."""
    answers = await _ask_each(plan.parts, settings, client)
    drafts = [a.value for a in answers]
    positions = merge_positions(drafts, plan.evidence, max_actors=settings.max_actors)
    named = [
        p.model_copy(update={"actor": actor.name}) if (actor := plan.evidence.actor(p.actor)) else p
        for p in positions
    ]
    overview = await reduce(
        drafts,
        named,
        settings=settings,
        client=client,
        templates=plan.parts[0].templates,
        title=plan.article.title,
        language=output_language(settings, plan.evidence.language),
    )
    merged = Draft(issue=overview.value.issue, summary=overview.value.summary, positions=positions)
    return Structured(
        value=merged,
        raw="",
        attempts=sum(a.attempts for a in answers) + overview.attempts,
        usage=sum((a.usage for a in answers), overview.usage),
        mode=overview.mode,
        model=answers[0].model,
    )


async def _ask_each(
    parts: list[Prepared], settings: Settings, client: ChatModel
) -> list[Structured[Draft]]:
    """Ask every part; the first alone, so that auto mode probes json_schema once."""
    first = await ask(parts[0], settings, client)
    limit = asyncio.Semaphore(PART_CONCURRENCY)

    async def one(prepared: Prepared) -> Structured[Draft]:
        async with limit:
            return await ask(prepared, settings, client)

    tasks = [asyncio.ensure_future(one(p)) for p in parts[1:]]
    try:
        rest = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    return [first, *rest]
