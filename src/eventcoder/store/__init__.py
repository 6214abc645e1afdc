"""The DuckDB event store (the only package that speaks SQL) and its named read queries."""

from eventcoder.store.duckdb import SCHEMA_VERSION, Store, open_store

__all__ = ["SCHEMA_VERSION", "Store", "open_store"]
