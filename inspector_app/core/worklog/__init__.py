"""Market workstation logs (市场质量检验工作站日志): rapid tests, scale checks, complaints.

No Qt here. The modules, from the bottom up:

* `items`: the rapid-test items, reading a value, and the computed conclusion
  (pesticide residue by enzyme inhibition: 0–100 %, ≥ 50 % positive);
* `entry`: one test row as typed, pasted or imported → a checked `TestInput` or the
  reason for each bad cell (one set of rules for every way a row comes in);
* `workstation`: the set-up (market, operators, instruments, reagent batches) and the
  reminders (verification expiring within 30 days, expired reagent batches);
* `service`: shifts, tests, re-tests, follow-up, scale checks and complaints: every change
  goes through `records.create` / `records.update`, many rows in one version;
* `importing`: tab-separated paste and instrument CSV files with an editable column
  mapping (docs/worklog-csv.md); bad rows are all reported, the caller chooses;
* `reports`: the daily report 日报 and the monthly summary with a chart (PDF).
"""
