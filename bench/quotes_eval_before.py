"""The same sample as quotes_eval.py, summarised by an older checkout of the tool (the "before").

Usage:
  git worktree add /tmp/summarizer-before 02dbc15      # the tree before quotes by reference
  python bench/quotes_eval_before.py --tree /tmp/summarizer-before [--limit 10]

The old tree runs in its own process (its package first on the path), one client per set as
``summarizer eval`` uses, against the same endpoint and model; its results are then scored
here by ``summarizer.evaluation``, exactly as quotes_eval.py scores the current tree. Only
the positions count as shown (the old ``missed_actors`` list is not what the summary shows).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from quotes_eval import HEADER, OUT, _row, sample

from summarizer.evaluation import ArticleRun, Report, score_article
from summarizer.schema import SummaryResult, Usage

REPO = Path(__file__).resolve().parent.parent

# Runs inside the old tree's process: its summarize(), one client per set.
_RUNNER = """
import json, sys, time
from summarizer import Settings, summarize
from summarizer.llm import OpenAIChat
from summarizer.schema import Article
base_url, model, jobs = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
settings = Settings(base_url=base_url, api_key="sk-local", model=model, timeout=900, max_retries=0)
for name, articles in jobs.items():
    chat = OpenAIChat(settings)
    for article in articles:
        started = time.perf_counter()
        row = {"set": name, "id": article["id"]}
        try:
            article = Article(text=article["text"], id=article["id"])
            result = summarize(article, settings=settings, client=chat)
            row["result"] = json.loads(result.model_dump_json())
        except Exception as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"[:300]
        row["seconds"] = time.perf_counter() - started
        print(json.dumps(row), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, required=True, help="the older checkout")
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--base-url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="local-medium")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--label", default="before")
    args = parser.parse_args()
    chosen = {
        n: r[: args.limit] for n, r in sample(args.eval_dir / "quote-attribution-dev").items()
    }
    jobs = {n: [{"id": r.id, "text": r.text} for r in rs] for n, rs in chosen.items()}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(jobs, handle)
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, args.base_url, args.model, handle.name],
        cwd=args.tree,
        env={"PYTHONPATH": str(args.tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    OUT.mkdir(parents=True, exist_ok=True)
    print(HEADER)
    for name, records in chosen.items():
        report = Report(
            engine="llm", model=args.model, template="positions", speaker_authority="model"
        )
        by_id = {r.id: r for r in records}
        for row in (r for r in rows if r["set"] == name):
            record = by_id[row["id"]]
            if "error" in row:
                report.articles.append(
                    ArticleRun(
                        score_article(record, None), 0, Usage(), None, row["seconds"], row["error"]
                    )
                )
                continue
            result = SummaryResult.model_validate(row["result"])
            made = result.provenance
            report.articles.append(
                ArticleRun(
                    score_article(record, result), made.attempts, made.usage, None, row["seconds"]
                )
            )
        figures = report.to_dict()
        (OUT / f"quotes_eval-{args.label}-{name}.json").write_text(
            json.dumps(figures, indent=2) + "\n", encoding="utf-8"
        )
        print(_row(args.label, name, figures))


if __name__ == "__main__":
    main()
