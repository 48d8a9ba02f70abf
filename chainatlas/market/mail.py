"""E-mail notifications through a configured SMTP server only.

Nothing is sent unless ``CHAINATLAS_SMTP_HOST`` is set (with ``CHAINATLAS_SMTP_PORT``, default 25,
and ``CHAINATLAS_SMTP_FROM``); tests point it at a local sink on loopback.
"""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage


def configured() -> bool:
    return bool(os.environ.get("CHAINATLAS_SMTP_HOST"))


def send(recipients: list[str], subject: str, body: str) -> None:
    host = os.environ["CHAINATLAS_SMTP_HOST"]
    port = int(os.environ.get("CHAINATLAS_SMTP_PORT", "25"))
    msg = EmailMessage()
    msg["From"] = os.environ.get("CHAINATLAS_SMTP_FROM", "chainatlas@localhost")
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(msg)
