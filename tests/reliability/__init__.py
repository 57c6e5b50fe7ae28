"""Short versions of the reliability runs, and the failures they found kept as regression tests."""
