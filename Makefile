# One task runner; CI (.ci/run) runs the same commands.
.PHONY: install test lint record bench

install:
	python -m pip install -e ".[test,ray,datasette]"

test:
	python -m pytest

lint:
	ruff check summarizer tests bench
	ruff format --check summarizer tests bench
	mypy
	lint-imports

# Re-record the cassettes against the local llama.cpp server (../shared/tools/local-llm-server start).
record:
	python -m pytest --record-mode=rewrite -m vcr

bench:
	python bench/batch_bench.py --quick
	python bench/ray_bench.py --quick
	python bench/attribution_eval.py
	python bench/quotes_eval.py --offline
	python bench/extract_eval.py
	python bench/db_bench.py --sizes 10000 --batch-articles 500
