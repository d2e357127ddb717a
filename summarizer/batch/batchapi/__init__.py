"""OpenAI's Batch API: request and result files, the upload/poll exchange, and a job's state."""
