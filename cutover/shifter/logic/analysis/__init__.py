"""The judge: compares the new side with the old side on CloudWatch metrics (docs/analysis.md).

Pure Python on purpose (no numpy or scipy in the Lambda asset): `models` (settings, samples,
verdicts), `mann_whitney` and `fisher` (the two tests), `judge` (a verdict from samples),
`queries` (the GetMetricData request for one check) and `responses` (its answer turned into
samples, with the missing-data rules).
"""
