"""The worker process of a large run.

With two or more CPUs, a large run makes its records in a worker process while this one
writes them: the worker (`python -c ... main()`, so no module of the caller is
imported again) reads the context (markets, stalls, officers...), the plan, the random
generator's state and the tail of the audit chain from its stdin (a pickle), and writes
batches of parameter tuples to its stdout, each length-prefixed and marshalled (several
times faster than pickle for tuples of plain values). It draws exactly what the
in-process run would draw, so the data is the same either way.
"""

from __future__ import annotations

import marshal
import os
import pickle
import random
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_app.core import audit
from inspector_app.core.demo.build import Plan, build_records
from inspector_app.core.demo.bulk import DbSink, Timer, Writer
from inspector_app.core.demo.context import Ctx

_CTX_STATE = ("now", "today", "device", "actor_author", "use_actor", "markets", "stalls",
              "checkable", "stalls_by_market", "officers", "operators", "approver",
              "contact_phone", "abbr", "pattern", "doc_seq", "seq_base", "ledger", "day_start",
              "id_key", "doc_segment", "officer_signatures", "signature_pool", "sign_rng")
_LENGTH = struct.Struct("<Q")


def _frame(data: bytes) -> bytes:
    return _LENGTH.pack(len(data)) + data


def _unframe(stream) -> bytes:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def main() -> None:  # pragma: no cover - runs in the worker process
    """The worker process: build the records and write them to stdout."""
    import queue as queues
    import threading

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the messages
    outbox: queues.Queue = queues.Queue(maxsize=4)

    def pump() -> None:  # writes while the main thread goes on building
        while (data := outbox.get()) is not None:
            out.write(data)
        out.flush()

    pumper = threading.Thread(target=pump, daemon=True)
    pumper.start()

    def post(message: Any) -> None:
        outbox.put(_frame(marshal.dumps(message)))

    made: dict[str, int] = {}
    try:
        state = pickle.loads(_unframe(sys.stdin.buffer))
        rng = random.Random()
        rng.setstate(state["rng"])
        timer = Timer()
        writer = Writer(audit.Chain(*state["chain"]), timer,
                         lambda batch: post(("rows", batch, dict(made))))
        ctx = Ctx(rng=rng, rnd=rng.random, writer=writer, **state["ctx"])
        made = build_records(ctx, state["plan"], made.update)
        post(("done", {"counts": dict(writer.counts), "timings": timer.report()}, made))
    except BaseException:  # noqa: BLE001 - every failure goes back to the parent
        import traceback

        post(("error", traceback.format_exc(), made))
    outbox.put(None)
    pumper.join()


class WorkerFailed(RuntimeError):
    def __init__(self, message: str, started: bool):
        super().__init__(message)
        self.started = started  # whether it had sent rows already


def build_in_worker(ctx: Ctx, plan: Plan, sink: DbSink, timer: Timer,
                     progress: Callable[[int, int], None] | None, total: int
                     ) -> tuple[dict[str, int], dict[str, Any]]:
    import subprocess

    state = {"rng": ctx.rng.getstate(), "chain": (ctx.writer.chain.seq, ctx.writer.chain.head),
             "plan": plan, "ctx": {name: getattr(ctx, name) for name in _CTX_STATE}}
    # The same code as ours, wherever this package was imported from.
    root = str(Path(__file__).resolve().parents[3])
    code = (f"import sys; sys.path.insert(0, {root!r}); "
            "from inspector_app.core.demo import worker; worker.main()")
    worker = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    started = finished = False
    try:
        assert worker.stdin is not None and worker.stdout is not None
        try:
            worker.stdin.write(_frame(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)))
            worker.stdin.close()
        except OSError as exc:
            raise WorkerFailed(f"the demo data worker did not start: {exc}", False) from exc
        timer.lap("worker start")
        while True:
            try:
                message, payload, made = marshal.loads(_unframe(worker.stdout))
            except EOFError:
                raise WorkerFailed("the demo data worker process stopped unexpectedly",
                                    started) from None
            timer.lap("wait")
            if message == "rows":
                started = True
                sink(payload)
                if progress:
                    progress(sum(made.values()), total)
            elif message == "done":
                finished = True
                return made, payload
            else:
                raise WorkerFailed(f"the demo data worker process failed:\n{payload}",
                                    started)
    finally:
        if not finished:
            worker.kill()
        worker.wait()
        if worker.stdout is not None:
            worker.stdout.close()

