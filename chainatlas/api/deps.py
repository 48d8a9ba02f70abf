"""Dependencies shared by every router: the store and a per-request session.

The app factory puts the Store on ``app.state.store``; routers declare ``session: SessionDep``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from chainatlas.store import Store


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_session(request: Request) -> Iterator[Session]:
    with get_store(request).session() as session:
        yield session


StoreDep = Annotated[Store, Depends(get_store)]
SessionDep = Annotated[Session, Depends(get_session)]
