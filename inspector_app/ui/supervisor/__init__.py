"""The supervisor's pages: the review queue (审核), conflicts, handover; the oversight
dashboard (监督, dashboard.py) is added beside them."""

from __future__ import annotations

from inspector_app.core.i18n import N_

REVIEW_STATES = {
    "pending": N_("Awaiting review"),
    "returned": N_("Returned"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}

ACTIONS = {
    "approve": N_("Approved"),
    "return": N_("Returned for correction"),
    "reject": N_("Rejected"),
    "resolve": N_("Conflict resolved"),
    "handover": N_("Handed over"),
}
