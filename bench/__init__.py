"""Benchmarks of GridGIS and the synthetic data they run on."""
