"""The models' unit tests, through the `dbt` command line.

Each worked example of the rules has a unit test beside the model that owns
it (`unit_tests:` in models/). They read fixed inputs, not the database, so
the other tests build without them (tests/dbt_in_process.py `BUILD`) and
they run here once: a whole `dbt build` of an empty database by a `dbt`
process, as `make demo` and Dagster run it.
"""

from __future__ import annotations

import json

from tests import dbt_in_process


def test_every_unit_test_passes_in_a_command_line_build(fresh_db, tmp_path):
    dbt_in_process.run_cli(tmp_path, fresh_db, "build")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    results = json.loads((tmp_path / "run_results.json").read_text())["results"]
    unit_results = {
        result["unique_id"]: result["status"]
        for result in results
        if result["unique_id"].startswith("unit_test.")
    }
    assert manifest["unit_tests"], "the project declares no unit tests"
    assert unit_results == dict.fromkeys(manifest["unit_tests"], "pass")
