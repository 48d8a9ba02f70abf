"""科创供应链: the supply–demand marketplace — vocabularies (``vocab``), reading posts (``reading``),
matching under hard constraints (``matching``, ``explain``), and the store side: posting, review, the
对接 workflow, notifications (``service``, ``mail``), KPIs, bulk import/export, demo data and the
link into the chain report (``chain``)."""
