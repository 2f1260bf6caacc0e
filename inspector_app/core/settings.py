"""Settings, each declared once with its key, default, type and description."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from inspector_app.core.i18n import N_
from inspector_app.core.models import Setting


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    type: type
    description: str  # translatable: show it with _()
    user_editable: bool = True

    def get(self, session: Session) -> Any:
        row = session.get(Setting, self.key)
        return self.type(json.loads(row.value)) if row else self.default

    def set(self, session: Session, value: Any) -> None:
        value = self.type(value)
        row = session.get(Setting, self.key)
        text = json.dumps(value, ensure_ascii=False)
        if row:
            row.value = text
        else:
            session.add(Setting(key=self.key, value=text))


AGENCY_NAME = Option("agency_name", "", str, N_("Agency name (printed on documents)"))
AGENCY_ABBR = Option("agency_abbr", "", str, N_("Agency abbreviation for document numbers"))
LANGUAGE = Option("language", "zh_CN", str, N_("Language"))
DOC_NUMBER_PATTERN = Option(
    "doc_number_pattern", "{abbr}市监强制〔{year}〕{seq}号", str,
    N_("Document number pattern"),
)
SERVER_URL = Option("server_url", "", str, N_("Central server address"))
DEVICE_ID = Option("device_id", "", str, N_("Device id"), user_editable=False)

OPTIONS = [AGENCY_NAME, AGENCY_ABBR, LANGUAGE, DOC_NUMBER_PATTERN, SERVER_URL, DEVICE_ID]


def device_id(session: Session, make: Callable[[], str] = lambda: str(uuid.uuid4())) -> str:
    """This store's device id, made on first use."""
    value = DEVICE_ID.get(session)
    if not value:
        value = make()
        DEVICE_ID.set(session, value)
        session.flush()
    return value
