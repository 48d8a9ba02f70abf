"""Traceability on GS1 EPCIS 2.0 / CBV 2.0: capture, query, trace back/forward, recall, Chinese codes.

Modules: ``identifiers`` (EPC URI ↔ GS1 Digital Link), ``vocab`` (CBV terms), ``validate`` (schema +
CBV rules), ``hashing`` (CBV 2.0 event hash), ``reader``/``capture``/``writer`` (streaming capture),
``query`` (EPCIS query parameters), ``lineage`` (trace back/forward), ``recall`` (recall report),
``cn_codes`` (药品追溯码, herb lot numbers), ``locations`` (GLN → organization/region links).
"""
