"""One reader per concern (the lock, the history, the listener weights, the live state),
each taking a boto3 client: the Lambda's adapters, the CLI and the local harness all read
through these, so they cannot disagree (docs/architecture.md, "Readers")."""
