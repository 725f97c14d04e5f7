"""Cutover's benchmarks: `python -m bench.run` (or `make bench`) writes bench/RESULTS.md.

Everything runs on local AWS (moto) with the real synthesized state machine and the real
Lambda handlers in-process (cutover/local/); bench/README.md says what each figure means
and what is not measured locally."""
