"""Local sign-in: the agency's first set-up and the inspectors sharing this device."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector_app.core import records, settings
from inspector_app.core.i18n import _
from inspector_app.core.models import Inspector

# Argon2id, memory-hard: 64 MiB, 3 passes (argon2-cffi's RFC 9106 low-memory profile).
_hasher = PasswordHasher()
MIN_PASSWORD = 8


class SetupError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_setup(session: Session) -> bool:
    """True until the agency is named and a first inspector exists."""
    has_inspector = session.scalar(select(func.count()).select_from(Inspector)) > 0
    return not has_inspector or not settings.AGENCY_NAME.get(session)


@dataclass
class NewInspector:
    name: str
    username: str
    password: str
    cert_no: str = ""
    role: str = "inspector"


def check_new_inspector(session: Session, new: NewInspector) -> None:
    if not new.name.strip():
        raise SetupError(_("Enter the inspector's name."))
    if not new.username.strip():
        raise SetupError(_("Enter a user name."))
    if len(new.password) < MIN_PASSWORD:
        raise SetupError(_("The password must have at least {n} characters.")
                         .format(n=MIN_PASSWORD))
    taken = session.scalar(select(Inspector).where(Inspector.username == new.username.strip()))
    if taken:
        raise SetupError(_("The user name {name} is already taken.").format(name=new.username))


def add_inspector(session: Session, actor: records.Actor, new: NewInspector) -> Inspector:
    check_new_inspector(session, new)
    inspector = Inspector(name=new.name.strip(), username=new.username.strip(),
                          password_hash=hash_password(new.password),
                          cert_no=new.cert_no.strip(), role=new.role, active=True)
    return records.create(session, inspector, actor)


def first_setup(session: Session, agency_name: str, agency_abbr: str,
                first: NewInspector) -> Inspector:
    """Name the agency and create the first (supervisor) account, all or nothing."""
    if not agency_name.strip():
        raise SetupError(_("Enter the agency's name."))
    if not agency_abbr.strip():
        raise SetupError(_("Enter the agency's abbreviation for document numbers."))
    settings.AGENCY_NAME.set(session, agency_name.strip())
    settings.AGENCY_ABBR.set(session, agency_abbr.strip())
    actor = records.Actor(settings.device_id(session))
    return add_inspector(session, actor, first)


def authenticate(session: Session, username: str, password: str) -> Inspector | None:
    inspector = session.scalar(
        select(Inspector).where(Inspector.username == username.strip(), Inspector.active)
    )
    if inspector is None:
        _hasher.hash(password)  # same time whether or not the name exists
        return None
    try:
        _hasher.verify(inspector.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return inspector
