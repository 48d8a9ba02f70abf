"""Writes from uploaded files: an organization registry (import) and documents (ingest).

Uploads are written to a private temporary directory under their own (sanitised) base
name, since the importers pick the reader by suffix, then handed to the same functions
the CLI uses; the directory is removed afterwards.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from chainatlas.errors import ChainAtlasError
from chainatlas.store import Store

MAX_UPLOAD = 50 * 1024 * 1024
REGISTRY_SUFFIXES = (".xlsx", ".xlsm", ".csv")
DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".jsonl", ".json", ".docx", ".pdf")


class UploadError(ChainAtlasError):
    code = "E806"


def safe_name(filename: str | None, allowed: tuple[str, ...]) -> str:
    name = Path(filename or "upload").name
    name = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", name)[:120] or "upload"
    if not name.lower().endswith(allowed):
        raise UploadError(f"{name}: unsupported file type; upload one of {', '.join(allowed)}")
    return name


def plain(obj: Any) -> Any:
    """A report object (dataclass, object with to_dict, or anything) as JSON-ready data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return plain(dataclasses.asdict(obj))
    if hasattr(obj, "to_dict"):
        return plain(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def _write(tmp: Path, files: list[tuple[str | None, bytes]], allowed: tuple[str, ...]) -> list[Path]:
    paths = []
    for i, (filename, data) in enumerate(files):
        if not data:
            raise UploadError(f"{filename or 'file'}: the file is empty")
        if len(data) > MAX_UPLOAD:
            raise UploadError(f"{filename}: larger than {MAX_UPLOAD // 2**20} MB; use the CLI for big files")
        p = tmp / f"{i:03d}_{safe_name(filename, allowed)}"
        p.write_bytes(data)
        paths.append(p)
    if not paths:
        raise UploadError("no file was uploaded: choose a file first")
    return paths


def import_registry(store: Store, filename: str | None, data: bytes) -> dict:
    from chainatlas.registry.importer import import_orgs

    tmp = Path(tempfile.mkdtemp(prefix="chainatlas-upload-"))
    try:
        (path,) = _write(tmp, [(filename, data)], REGISTRY_SUFFIXES)
        # The office's own file name is the rows' source, not our temporary copy's.
        report = import_orgs(store, path, source=Path(filename or path.name).name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _reset_caches()
    return {"file": filename, "report": _hide_tmp(plain(report), {str(path): filename or path.name}, tmp)}


def ingest_documents(store: Store, files: list[tuple[str | None, bytes]]) -> dict:
    """Start ingesting uploaded documents as a background job (``ingest.jobs``); the job's
    snapshot (poll ``job_status`` with its id until ``done`` or ``failed``)."""
    from chainatlas.ingest.jobs import jobs_for

    tmp = Path(tempfile.mkdtemp(prefix="chainatlas-upload-"))
    try:
        _write(tmp, files, DOCUMENT_SUFFIXES)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    job = jobs_for(store.url, on_done=lambda _job: _reset_caches()).submit(tmp, [f or "" for f, _ in files])
    return job.snapshot()


def job_status(store: Store, job_id: str) -> dict | None:
    from chainatlas.ingest.jobs import jobs_for

    job = jobs_for(store.url, on_done=lambda _job: _reset_caches()).get(job_id)
    return job.snapshot() if job is not None else None


def _hide_tmp(report: Any, names: dict[str, str], tmp: Path) -> Any:
    """The report as the uploader knows it: their file names, never the server's temporary paths."""
    if isinstance(report, dict):
        return {k: _hide_tmp(v, names, tmp) for k, v in report.items()}
    if isinstance(report, list):
        return [_hide_tmp(v, names, tmp) for v in report]
    if isinstance(report, str) and str(tmp) in report:
        for path, name in names.items():
            report = report.replace(path, name)
        return report.replace(str(tmp), "upload")
    return report


def _reset_caches() -> None:
    from chainatlas.api.cache import invalidate

    invalidate()
