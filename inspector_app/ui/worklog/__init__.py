"""The workstation-log page (工作站日志): keyboard-only entry of rapid tests, paste and CSV
import, scale checks, complaints, reminders, the set-up, and the reports.

Thin: every rule is in `inspector_app.core.worklog`; writes run on a worker thread through
`inspector_app.ui.tasks`.
"""
