"""What the command modules share: running a command on the store of --data-dir."""

from __future__ import annotations

import functools
import sys

EXIT_BAD_INPUT = 2  # bad usage or bad input


def with_store(command=None, *, errors: tuple[type[BaseException], ...] = ()):
    """`command(args, store)` as a handler: the store of --data-dir is opened and closed
    after; a store error, or one of `errors` (user errors carrying a translated `message`),
    is printed and the exit code is 2."""
    if command is None:
        return functools.partial(with_store, errors=errors)

    @functools.wraps(command)
    def handler(args) -> int:
        from inspector_app.core.paths import data_dir
        from inspector_app.core.store import Store, StoreError

        caught = (StoreError, *errors)
        try:
            store = Store(data_dir(getattr(args, "data_dir", None)))
        except caught as exc:
            print(getattr(exc, "message", str(exc)), file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            return command(args, store)
        except caught as exc:
            print(getattr(exc, "message", str(exc)), file=sys.stderr)
            return EXIT_BAD_INPUT
        finally:
            store.close()

    return handler
