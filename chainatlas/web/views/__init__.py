"""Page views, one module per resource; ``routers()`` is what the app factory includes."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from chainatlas.web.views import (
        account,
        apidocs,
        chain,
        dashboard,
        documents,
        invest,
        market,
        orgs,
        search,
        standards,
    )

    return [dashboard.router, chain.router, orgs.router, documents.router, search.router, account.router,
            apidocs.router, market.router, invest.router, standards.router]
