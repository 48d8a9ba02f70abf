"""Batch ingestion on Apache Spark into PostgreSQL (``chainatlas spark ingest``).

The same prepare → extract → sign code as ``chainatlas ingest`` (``ingest.worker.process``)
runs inside Spark partitions; the same persister (``resolve.persist``) writes each batch of
documents in one transaction. Near-duplicates are found across the whole corpus by a
distributed join on MinHash LSH bands (``neardup``), decided in input order on the driver
like the single-machine path does, so both paths store the same facts.

PySpark is an optional extra (``pip install 'chainatlas[spark]'``); nothing here imports it
at module level except ``job``.
"""
