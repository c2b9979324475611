"""metrics.jsonl carries wall time and learning rate; TensorBoard reads what the converter writes."""

import json
import shutil

import numpy as np
import pytest

from energydynamics.tensorboard import MetricsError, convert, read_metrics


@pytest.mark.parametrize("which", ["cd", "dsm", "ff"])
def test_metrics_lines_have_wall_time_and_learning_rate(tiny, which):
    lines = read_metrics(str(getattr(tiny, which) / "metrics.jsonl"))
    train = [line for line in lines if line["event"] == "train"]
    test = [line for line in lines if line["event"] == "test"]
    assert [line["step"] for line in train] == [10, 20, 30, 40] and len(test) == 1
    assert all(line["lr"] > 0 for line in train)
    walls = [line["wall_s"] for line in train + test]
    assert all(w >= 0 for w in walls) and walls == sorted(walls)
    assert all(line["time"] > 1.7e9 for line in lines)
    assert test[0]["test_loss"] == test[0]["loss"]


def test_tensorboard_reads_the_converted_scalars(tiny, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    run = tmp_path / "run"
    shutil.copytree(tiny.cd, run)
    logdir, count = convert(str(run))
    lines = read_metrics(str(run / "metrics.jsonl"))
    accumulator = EventAccumulator(logdir)
    accumulator.Reload()
    tags = accumulator.Tags()["scalars"]
    assert {"train/loss", "train/lr", "train/wall_s", "train/gap", "test/test_loss"} <= set(tags)
    events = accumulator.Scalars("train/loss")
    train = [line for line in lines if line["event"] == "train"]
    assert [e.step for e in events] == [line["step"] for line in train]
    assert np.allclose([e.value for e in events], [line["loss"] for line in train], rtol=1e-6)
    assert [e.wall_time for e in events] == pytest.approx([line["time"] for line in train])
    assert count == sum(1 for line in lines for k, v in line.items() if k not in ("event", "step", "time") and isinstance(v, (int, float)))
    # a rerun replaces the folder; the input is untouched
    before = (run / "metrics.jsonl").read_bytes()
    assert convert(str(run))[0] == logdir and (run / "metrics.jsonl").read_bytes() == before


def test_bad_metrics_are_refused(tmp_path):
    (tmp_path / "metrics.jsonl").write_text(json.dumps({"event": "train", "step": 1, "loss": 1}) + "\n{not json\n")
    with pytest.raises(MetricsError, match=r"metrics.jsonl:2"):
        convert(str(tmp_path))
    assert not (tmp_path / "tensorboard").exists()
    (tmp_path / "metrics.jsonl").write_text(json.dumps({"step": 1}) + "\n")
    with pytest.raises(MetricsError, match="event"):
        convert(str(tmp_path))
    with pytest.raises(FileNotFoundError):
        convert(str(tmp_path / "nowhere"))
