"""The server fuzzed from its own OpenAPI spec (schemathesis): never a 5xx."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from synchelpers import enrol_fake

EXAMPLES = int(os.environ.get("INSPECTOR_FUZZ_EXAMPLES", "20"))


def test_no_5xx_on_any_operation(tmp_path, database_url):
    from sync.server.app import ServerConfig, create_app

    (tmp_path / "server").mkdir(exist_ok=True)
    app = create_app(ServerConfig(data_dir=tmp_path / "server", database_url=database_url,
                                  enrol_limit=100_000))
    device = enrol_fake(app.state.db)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, counter = [], [0]
    try:
        for result in schema.get_all_operations():
            _fuzz(result.ok(), device, failures, counter)
    finally:
        app.state.db.dispose()
    assert counter[0] > 100
    assert failures == []


def _fuzz(operation, device, failures, counter) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        counter[0] += 1
        headers = dict(case.headers or {})
        # Half the cases carry a real device's credentials, to get past the door.
        if counter[0] % 2:
            headers.update(device.headers())
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((operation.label, response.status_code,
                             response.text[:200]))

    run()
