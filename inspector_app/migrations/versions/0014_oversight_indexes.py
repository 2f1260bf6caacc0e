"""the supervisor dashboard's indexes on agency_records

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

Indexes only (partial and covering, see core/agency/tables.py OVERSIGHT_INDEX_COLUMNS):
no table or row changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# A copy, not an import: a migration says what it made once and never changes.
INDEXES = {
    "ix_agency_checks_day_market": (("state", "day", "market_id", "result", "kind"),
                                    "kind = 'check'"),
    "ix_agency_checks_day_category": (("state", "day", "category", "result", "kind"),
                                      "kind = 'check'"),
    "ix_agency_checks_market": (("market_id", "state", "day", "inspector", "category",
                                 "result", "kind"), "kind = 'check'"),
    "ix_agency_checks_inspector": (("inspector", "state", "day", "market_id", "category",
                                    "result", "kind"), "kind = 'check'"),
    "ix_agency_running": (("deadline", "market_id", "inspector", "kind", "state"),
                          "kind = 'seizure' AND state IN ('issued', 'extended')"),
    "ix_agency_report_due": (("kind", "report_due", "market_id", "inspector"),
                             "report_due != ''"),
    "ix_agency_positives": (("kind", "day", "market_id", "inspector", "positives"),
                            "positives > 0"),
}


def upgrade() -> None:
    for name, (cols, where) in INDEXES.items():
        op.create_index(name, "agency_records", list(cols), sqlite_where=sa.text(where))


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="agency_records")
