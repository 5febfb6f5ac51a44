"""Tsumugi's benchmarks: `python -m benchmarks [section]` (see README.md)."""
import os

# HQs made by the benchmarks (in this process and as `python -m hq serve` children) sign with one
# throwaway key from the environment, as a deployment supplies it; like the in-memory keyring the
# benchmarks install, it dies with the run. A key set by the caller is kept.
os.environ.setdefault("TSUMUGI_HQ_SIGNING_KEY", os.urandom(32).hex())
