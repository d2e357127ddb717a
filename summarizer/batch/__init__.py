"""Runs over many articles: the runner, its results file, cache, throttle, costs and progress.

``batchapi`` holds the other way to run an archive: OpenAI's Batch API (or vLLM run_batch).
"""
