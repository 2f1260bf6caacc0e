"""The client side of sync with the central server (no Qt here).

- `batches`: outbox entries into signed, compressed, bounded batches; acks; batch files.
- `credentials`: the device credential in the OS keyring, else a file only the user reads.
- `transport`: HTTP to the server (TLS verified, custom CA), errors sorted into fatal
  (4xx: stop, show the reason) and transient (retry with backoff).
- `agent`: enrolment, and one sync run: acks from receipts, attachments by hash
  (resumable), batches in sequence, pull by cursor.
- `reachability`: a cheap probe of the server with exponential backoff and jitter.
"""
