"""标准云享站: the standards catalogue — numbers, import, search, links, alerts.

- ``numbers``: parse any spelling of a standard number into its kind and keys;
- ``catalogue`` / ``importer``: read NMPA JSON, ISO→GB mappings, Excel/CSV; store with dated changes;
- ``index`` / ``search``: the tantivy index beside the store, number and word search, 查新;
- ``links``: standards on chain nodes, enterprises and news; ``alerts``: watches, inbox, e-mail.
"""
