"""Score summaries on a fixed sample of the quote-attribution dev set, as `summarizer eval` does.

Usage:
  python bench/quotes_eval.py                       # the local llama.cpp server, local-medium
  python bench/quotes_eval.py --offline             # the attribution engine alone (no calls)
  python bench/quotes_eval.py --base-url URL --model NAME [--prompts DIR] [--label after]
  python bench/quotes_eval.py --select              # print the sample the rule picks

The sample is committed in bench/quotes_eval_ids.txt: 30 English articles from
polnear_train.jsonl and 10 German ones from de_wikinews_train.jsonl, picked by one rule (see
``select``). The texts are read from the eval folder and never copied into the repository.
Scoring is ``summarizer.evaluation`` (the rules are in the README, "Evaluating a model or a
house style"); each set's full report goes to bench/out/quotes_eval-<label>-<set>.json, ready
for ``summarizer eval --compare``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.evaluation import ArticleRun, GoldRecord, evaluate, load_gold

REPO = Path(__file__).resolve().parent.parent
IDS = REPO / "bench" / "quotes_eval_ids.txt"
OUT = REPO / "bench" / "out"
SETS = {"en": ("polnear_train.jsonl", 30), "de": ("de_wikinews_train.jsonl", 10)}
WORDS = (150, 600)
MIN_SPEAKERS = 2


def eligible(record: GoldRecord) -> bool:
    """150 to 600 words, and at least two speakers with direct quotes in the gold."""
    words = len(record.text.split())
    speakers = [s for s in record.speakers if s.quotes]
    return WORDS[0] <= words <= WORDS[1] and len(speakers) >= MIN_SPEAKERS


def select(records: list[GoldRecord], n: int) -> list[str]:
    """N eligible articles spread evenly over the file (the i-th of N at i * eligible / N):
    the first N in file order would be nearly all from one publisher (27 of 30 Breitbart)."""
    ids = [r.id or "" for r in records if eligible(r)]
    return [ids[i * len(ids) // n] for i in range(n)]


def sample(folder: Path) -> dict[str, list[GoldRecord]]:
    wanted = [line.strip() for line in IDS.read_text(encoding="utf-8").splitlines()]
    wanted = [w for w in wanted if w and not w.startswith("#")]
    chosen = {}
    for name, (filename, _n) in SETS.items():
        by_id = {r.id: r for r in load_gold(folder / filename)}
        chosen[name] = [by_id[i] for i in wanted if i in by_id]
    return chosen


def _row(label: str, name: str, figures: dict[str, Any]) -> str:
    shown, model = figures["shown"], figures["model_only"] or {}
    says = figures.get("model_says") or {}

    def f(value: Any, digits: int = 3) -> str:
        return "n/a" if value is None else f"{value:.{digits}f}"

    return (
        f"| {label} | {name} | {figures['articles']} | {f(shown['quote_recall'])} | "
        f"{f(shown['quote_precision'])} | {f(shown['attribution_accuracy'])} | "
        f"{f(shown['named_speaker_recall'])} | {f(shown['verbatim_rate'])} | "
        f"{f(says.get('attribution_accuracy'))} | {f(says.get('named_speaker_recall'))} | "
        f"{f(model.get('quote_recall'))} | {f(figures['positions_with_evidence'])} | "
        f"{f(figures['actors_added_by_tool'])} | {f(figures['calls_per_article'], 1)} | "
        f"{f(figures['completion_tokens_per_article'], 0)} | {f(figures['seconds_median'], 1)} | "
        f"{figures['failed']} |"
    )


HEADER = (
    "| run | set | articles | quote recall | quote precision | attribution | named speakers "
    "| verbatim | attribution, model's speakers | named, model's speakers "
    "| model's own recall | positions with evidence | actors added by tool "
    "| calls/article | completion tokens/article | median s/article | failed |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def _progress(number: int, run: ArticleRun) -> None:
    outcome = run.error or f"{run.score.shown.gold_found}/{run.score.shown.gold} gold quotes"
    print(f"  [{number}] {run.score.id}: {outcome}, {run.calls} calls, {run.seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--offline", action="store_true", help="the engine alone, no calls")
    parser.add_argument("--base-url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="local-medium")
    parser.add_argument("--prompts", type=Path, default=None, help="house-style templates")
    parser.add_argument("--speaker-authority", choices=["engine", "model"], default=None)
    parser.add_argument("--label", default=None, help="names the run in the table and files")
    parser.add_argument("--only", choices=sorted(SETS), default=None, help="one set")
    parser.add_argument("--select", action="store_true", help="print the ids the rule picks")
    parser.add_argument(
        "--limit", type=int, default=None, help="the first N of each set's sample (a quick run)"
    )
    args = parser.parse_args()
    folder = args.eval_dir / "quote-attribution-dev"
    if args.select:
        for name, (filename, n) in SETS.items():
            print(f"# {name}: {filename}")
            print("\n".join(select(load_gold(folder / filename), n)))
        return
    settings = Settings.load(
        base_url=args.base_url,
        model=args.model,
        prompts_dir=args.prompts,
        speaker_authority=args.speaker_authority,
    )
    label = args.label or ("offline" if args.offline else args.model)
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, records in sample(folder).items():
        if args.only and name != args.only:
            continue
        records = records[: args.limit]
        print(f"{name}: {len(records)} articles", flush=True)
        report = evaluate(
            records,
            settings=settings,
            engine="offline" if args.offline else "llm",
            on_article=None if args.offline else _progress,
        )
        figures = report.to_dict()
        (OUT / f"quotes_eval-{label}-{name}.json").write_text(
            json.dumps(figures, indent=2) + "\n", encoding="utf-8"
        )
        rows.append(_row(label, name, figures))
    print(HEADER)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
