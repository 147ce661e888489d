"""The Thrift server's driver can initialise Hive's FunctionRegistry.

pip's pyspark ships Hive without hive-llap-common, and FunctionRegistry's
static initialiser names one of its classes: without warehouse/jvm's stand-in
the initialiser fails, and so, now and then, does a session close in the
middle of a dbt run (seen as a model failing with NoClassDefFoundError). This
loads the class on the class path the server is started with, and on pyspark's
alone, which must still fail (else the stand-in is dead weight).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

spark = pytest.importorskip("warehouse.spark")
pytest.importorskip("pyspark", reason="the Spark tier needs `make install-spark`")

PROBE = """
public class Probe {
  public static void main(String[] args) throws Exception {
    Class.forName("org.apache.hadoop.hive.ql.exec.FunctionRegistry");
    System.out.println("initialised");
  }
}
"""
# what Spark's own launcher opens for Hive's reflection on Java 17
OPENS = [
    f"--add-opens=java.base/{module}=ALL-UNNAMED"
    for module in ("java.lang", "java.net", "java.util")
]


def _load_function_registry(tmp_path: Path, *class_path: Path | str) -> str:
    (tmp_path / "Probe.java").write_text(PROBE)
    subprocess.run(
        ["javac", "-d", str(tmp_path), str(tmp_path / "Probe.java")], check=True
    )
    jars = spark.spark_home() / "jars" / "*"
    result = subprocess.run(
        [
            "java",
            *OPENS,
            "-cp",
            os.pathsep.join(map(str, [tmp_path, *class_path, jars])),
            "Probe",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr


def test_the_servers_class_path_initialises_hives_function_registry(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SPARK_STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    with_stub = _load_function_registry(tmp_path, spark.llap_stub_jar())
    assert "initialised" in with_stub, with_stub

    without = _load_function_registry(tmp_path)
    assert "NoClassDefFoundError" in without and "LlapSigner" in without, without
