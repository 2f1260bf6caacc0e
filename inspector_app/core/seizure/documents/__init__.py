"""The printed documents of a seizure (numbers of the 2021 national template set):

* ``decision``  实施行政强制措施决定书 (21)
* ``list``      财物清单 (24): a table over as many pages as it needs; every page carries the
  list's number and the party, the confirmation sentence, signature lines and 第x页 共y页
* ``record``    现场笔录 (9), signatures on every page
* ``seals``     封条 (25): strips to cut out, one per seal, with where each is pasted
* ``extension`` 延长行政强制措施期限决定书 (22)
* ``release``   解除行政强制措施决定书 (23)

`model` holds what a document is drawn from and what its QR code's hash covers, `wording`
the templates' words resolved for a record, `drawing` the pages. docs/documents.md maps
every template field to where it comes from.
"""

from inspector_app.core import fonts
from inspector_app.core.pdf import Flow, new_canvas
from inspector_app.core.seizure.documents.drawing import BUILDERS, page_count, render, wrap
from inspector_app.core.seizure.documents.model import (
    DECISION_RECEIPT,
    KINDS,
    ONSITE_ROLES,
    SIGNATURE_ROLES,
    ItemInfo,
    PartyInfo,
    SignatureInfo,
    Snapshot,
    cn_date,
    cn_time,
    content,
    content_sha256,
)
from inspector_app.core.seizure.documents.wording import title

TITLES = {kind: title(kind) for kind in KINDS}

__all__ = [
    "BUILDERS",
    "DECISION_RECEIPT",
    "KINDS",
    "ONSITE_ROLES",
    "SIGNATURE_ROLES",
    "TITLES",
    "Flow",
    "ItemInfo",
    "PartyInfo",
    "SignatureInfo",
    "Snapshot",
    "cn_date",
    "cn_time",
    "content",
    "content_sha256",
    "fonts",
    "new_canvas",
    "page_count",
    "render",
    "title",
    "wrap",
]
