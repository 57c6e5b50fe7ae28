"""Long-running proofs (fuzzing, load, faults, security and privacy); `python -m reliability` writes the report."""
