"""审核意见: a record's review state and the supervisors' comments, read-only.

Shown in the record views (the read-only record dialog, a check, a seizure) when decisions
about the record were received; nothing here edits or deletes a comment.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QGroupBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from inspector_app.core.i18n import _


def load(store, kind: str, record_id: str | None) -> dict:
    """{"state", "comments"} of the record (core/agency/review.review_of)."""
    if not record_id:
        return {"state": None, "comments": []}
    from inspector_app.core.agency import review

    with store.read() as session:
        return review.review_of(session, kind, record_id)


def comments_html(data: dict) -> str:
    from inspector_app.core.agency import review

    rows = []
    for c in data["comments"]:
        when = c["decided_at"][:16].replace("T", " ")
        head = _("{at} {by} · {decision} (version {version})").format(
            at=when, by=c["by"], decision=review.action_label(c["action"]),
            version=c["version"])
        text = escape(c["text"]).replace("\n", "<br>") if c["text"] else ""
        refused = ""
        if c.get("refused"):
            refused = ("<br><span style='color:#b00020'>" + escape(
                _("refused by the server: {reason}").format(reason=c["refused"])) + "</span>")
        rows.append(f"<p><b>{escape(head)}</b><br>{text}{refused}</p>")
    return "".join(rows)


class ReviewPanel(QGroupBox):
    """The review state and every decision on one record, oldest first."""

    def __init__(self, data: dict, parent: QWidget | None = None):
        super().__init__(_("Review comments"), parent)
        from inspector_app.core.agency import review

        self.setObjectName("review_panel")
        self.data = data
        self.state = QLabel(_("Review: {state}").format(
            state=review.state_label(data["state"]) or _("none")))
        self.state.setObjectName("review_state")
        self.comments = QTextBrowser()
        self.comments.setObjectName("review_comments")
        self.comments.setReadOnly(True)
        self.comments.setOpenLinks(False)
        self.comments.setHtml(comments_html(data))
        self.comments.setMaximumHeight(self.comments.fontMetrics().height() * 9)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.comments)


def panel_for(store, kind: str, record_id: str | None,
              parent: QWidget | None = None) -> ReviewPanel | None:
    """A panel when the record has decisions, else None (nothing to show)."""
    data = load(store, kind, record_id)
    return ReviewPanel(data, parent) if data["comments"] else None
