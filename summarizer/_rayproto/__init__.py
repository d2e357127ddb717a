"""Prototype of the Ray stage (issue 13); moves to summarizer/batch/ray/."""
