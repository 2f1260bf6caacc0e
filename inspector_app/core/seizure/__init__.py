"""Seizure and sealing records (查封扣押 / 封存): rules, numbering, documents, QR codes.

No Qt here. `service` is the entry point for every change; `documents` draws the notices;
`qr` and `verify` make and check the codes printed on them.
"""
