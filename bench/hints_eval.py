"""Does giving the model the offline engine's quotes (``hints``) improve its attribution?

Runs the LLM pipeline twice per article, hints off and on, against a real OpenAI-compatible
endpoint (by default ../shared/tools/local-llm-server), on a sample of short English articles
from the quote-attribution dev set, and scores the model's verified quotes against gold:

- attribution accuracy: of the model's quotes that overlap a gold quote, the share listed under
  an actor matching the gold speaker (name or mentions, compared with ``match_actor``);
- gold recall: the share of gold direct quotes the model reported verbatim.

Usage: python bench/hints_eval.py [--n 6] [--skip 0] [--base-url http://127.0.0.1:8765/v1]
       [--model local-medium] [--eval-dir ../shared/eval]
Articles are read from the eval folder and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attribution_eval import _overlaps as overlaps  # same matching rule as the engine's score

from summarizer.attribution import match_actor
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.pipeline.run import summarize
from summarizer.schema import Article

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Tally:
    matched: int = 0
    right: int = 0
    gold: int = 0
    gold_found: int = 0
    failures: int = 0
    seconds: float = 0.0


def sample(eval_dir: Path, n: int, skip: int = 0) -> list[dict[str, Any]]:
    path = eval_dir / "quote-attribution-dev" / "polnear_train.jsonl"
    chosen = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            quotes = sum(len(s["quote_offsets"]) for s in record["speakers"])
            speakers = sum(1 for s in record["speakers"] if s["quotes"])
            if 150 <= len(record["text"].split()) <= 450 and quotes >= 3 and speakers >= 2:
                chosen.append(record)
            if len(chosen) == skip + n:
                break
    return chosen[skip:]


def score(record: dict[str, Any], settings: Settings, tally: Tally) -> None:
    gold = [
        ((a, b), s) for s in record["speakers"] for a, b in s["quote_offsets"]
    ]  # fmt: skip
    tally.gold += len(gold)
    started = time.perf_counter()
    try:
        result = summarize(Article(text=record["text"], id=record["id"]), settings=settings)
    except SummarizerError as exc:
        tally.failures += 1
        print(f"  {record['id']}: {type(exc).__name__}: {exc}")
        return
    finally:
        tally.seconds += time.perf_counter() - started
    found: set[int] = set()
    for position in result.positions:
        for quote in position.quotes:
            if quote.start is None or quote.end is None:
                continue
            hits = [i for i, (g, _) in enumerate(gold) if overlaps(g, (quote.start, quote.end))]
            if not hits:
                continue
            found.update(hits)
            tally.matched += 1
            speaker = gold[hits[0]][1]
            names = [speaker["name"], *speaker["mentions"]]
            if any(match_actor(position.actor, name) for name in names):
                tally.right += 1
    tally.gold_found += len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6)
    parser.add_argument("--skip", type=int, default=0, help="skip the first SKIP sampled articles")
    parser.add_argument("--base-url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="local-medium")
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    args = parser.parse_args()
    records = sample(args.eval_dir, args.n, args.skip)
    # A local server answers one request at a time: a long timeout and no retries, so an
    # abandoned request never queues up behind the next.
    base = Settings(
        base_url=args.base_url,
        api_key="sk-local-no-key",
        model=args.model,
        timeout=1800,
        max_retries=0,
    )
    tallies = {"hints off": Tally(), "hints on": Tally()}
    for record in records:
        print(record["id"], flush=True)
        for label, tally in tallies.items():
            settings = base.model_copy(update={"hints": label == "hints on"})
            score(record, settings, tally)
    print(f"\n{len(records)} articles, model {args.model}\n")
    print("| run | attribution accuracy | gold quotes found | failed calls | s/article |")
    print("|---|---|---|---|---|")
    for label, t in tallies.items():
        accuracy = f"{t.right / t.matched:.2f} ({t.right}/{t.matched})" if t.matched else "n/a"
        recall = f"{t.gold_found / t.gold:.2f} ({t.gold_found}/{t.gold})" if t.gold else "n/a"
        per = t.seconds / max(1, len(records))
        print(f"| {label} | {accuracy} | {recall} | {t.failures} | {per:.0f} |")


if __name__ == "__main__":
    main()
