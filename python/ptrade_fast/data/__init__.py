"""Market data: security codes, the on-disk bundle (see docs/data-format.md) and the DataStore."""
