"""Deployment scripts: staging of per-function Lambda bundles for serverless.yml."""
