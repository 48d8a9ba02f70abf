"""The big-health chain as data: official codes, curated chain nodes, crosswalks, keywords, links."""
