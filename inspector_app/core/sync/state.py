"""Sync state kept in the store's settings table (declared once, like every setting)."""

from __future__ import annotations

from inspector_app.core.i18n import N_
from inspector_app.core.settings import SERVER_URL, Option

__all__ = [
           "AGENCY_FROM_SERVER",
           "CA_FILE",
           "DEVICE_ROLE",
           "ENROLLED_DEVICE",
           "HANDED_OVER",
           "INSPECTOR_FROM_SERVER",
           "LAST_ERROR",
           "LAST_SUCCESS",
           "OWNED_ELSEWHERE",
           "PULL_CURSOR",
           "REFUSED_DECISIONS",
           "REFUSED_PULLS",
           "SERVER_URL",
]

CA_FILE = Option("sync_ca_file", "", str,
                 N_("Certificate authority file for the central server (PEM; empty: the "
                    "system's)"))
ENROLLED_DEVICE = Option("sync_enrolled_device", "", str, N_("Device id the server knows"),
                         user_editable=False)
PULL_CURSOR = Option("sync_pull_cursor", 0, int, N_("Pull cursor"), user_editable=False)
LAST_SUCCESS = Option("sync_last_success", "", str, N_("Last successful sync"),
                      user_editable=False)
LAST_ERROR = Option("sync_last_error", "", str, N_("Last sync error"), user_editable=False)
AGENCY_FROM_SERVER = Option("sync_agency", "", str, N_("Agency named by the server"),
                            user_editable=False)
INSPECTOR_FROM_SERVER = Option("sync_inspector", "", str,
                               N_("Inspector the server enrolled this device for"),
                               user_editable=False)
# Pulled records the rules refused (kept aside, never applied), for the Sync page.
REFUSED_PULLS = Option("sync_refused_pulls", [], list,
                       N_("Pulled records refused by the rules"), user_editable=False)
# Records this device handed to another (pulled "handover" changes): not changed here
# any more (core/sync/handed.py).
HANDED_OVER = Option("sync_handed_over", [], list, N_("Records handed to another device"),
                     user_editable=False)
# Entities pulled for a record handed here (its party...) that another device owns: the
# server takes their changes only from it (core/sync/handed.py).
OWNED_ELSEWHERE = Option("sync_owned_elsewhere", [], list,
                         N_("Pulled entities another device owns"), user_editable=False)
# The role the server enrolled this device with: "inspector" or "supervisor" (who imports
# the agency's records and decides on them).
INSPECTOR_ROLE, SUPERVISOR_ROLE = "inspector", "supervisor"
DEVICE_ROLE = Option("sync_role", INSPECTOR_ROLE, str, N_("Role the server enrolled this "
                                                          "device for"), user_editable=False)
# Pulled decisions whose signature could not be verified (kept aside, never applied).
REFUSED_DECISIONS = Option("sync_refused_decisions", [], list,
                           N_("Pulled decisions that could not be verified"),
                           user_editable=False)


def is_supervisor(session) -> bool:
    return DEVICE_ROLE.get(session) == SUPERVISOR_ROLE
