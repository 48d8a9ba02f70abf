"""Plain query functions (keyword-only session) shared by the REST routes and the web
views, so a page and its API always show the same rows."""
