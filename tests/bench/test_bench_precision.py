"""``tts bench --precision``: the sections run on the int8 models, and the record says which
precision and which int8 kernels this CPU got. No timing is asserted."""

from __future__ import annotations

import json

import pytest

from base.cpu import cpu_features


def test_cli_int8_acoustic_section(tmp_path, capsys):
    from tts import cli

    out = tmp_path / "bench.json"
    argv = ["bench", "--quick", "--only", "machine,acoustic", "--repeats", "1", "--precision", "int8"]
    assert cli.main([*argv, "--json", str(out)]) == 0
    record = json.loads(out.read_text())
    assert record["precision"] == "int8" and record["settings"]["precision"] == "int8"
    machine = record["machine"]
    assert machine["cpu_features"] == cpu_features().describe() and machine["vnni"] is cpu_features().vnni
    assert "fbgemm" in machine["int8_kernels"] or "qnnpack" in machine["int8_kernels"]
    assert all(row["ms_per_step"] > 0 for row in record["acoustic"])
    assert "int8" in capsys.readouterr().out


def test_cli_refuses_an_unknown_precision(capsys):
    from tts import cli

    with pytest.raises(SystemExit) as refused:  # argparse: not one of the choices
        cli.main(["bench", "--quick", "--precision", "int4"])
    assert refused.value.code == 2 and "int4" in capsys.readouterr().err
