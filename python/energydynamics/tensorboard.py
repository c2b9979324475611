"""TensorBoard scalars from a training run's metrics.jsonl, written with TensorBoard's own event writer.

    python -m energydynamics.tensorboard RUN [--logdir DIR]     # default DIR: RUN/tensorboard
    tensorboard --logdir RUN/tensorboard

Every numeric key of a line becomes the scalar "{event}/{key}" at that line's step ("train/loss",
"train/lr", "train/grad_norm", "test/test_loss", ...); the line's Unix `time` (written by `ebm train`
since wall_s and lr joined the file) is the event's wall time, else the file's modification time.
The log folder is written beside and then renamed into place: it is complete or absent, and a rerun
replaces it. Needs `pip install tensorboard` (not TensorFlow).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import tempfile

SKIPPED = {"step", "time"}
MAX_BYTES = 1 << 30


class MetricsError(ValueError):
    """A metrics.jsonl line that is not a JSON object with an event and a step."""


def read_metrics(path: str) -> list[dict]:
    """The lines of a metrics.jsonl, each checked to be a JSON object with "event" and an integer "step"."""
    if os.path.getsize(path) > MAX_BYTES:
        raise MetricsError(f"{path}: larger than {MAX_BYTES} bytes")
    lines = []
    with open(path, encoding="utf-8") as f:
        for number, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
            except json.JSONDecodeError as error:
                raise MetricsError(f"{path}:{number}: not JSON ({error})") from None
            if not isinstance(line, dict) or not isinstance(line.get("event"), str) or not isinstance(line.get("step"), int):
                raise MetricsError(f"{path}:{number}: a metrics line needs \"event\" (text) and \"step\" (integer)")
            lines.append(line)
    return lines


def write_event_files(lines: list[dict], logdir: str, default_time: float) -> int:
    """Writes the scalars of `lines` as TensorBoard event files in `logdir`; returns how many."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(logdir)
    count = 0
    try:
        for line in lines:
            wall_time = float(line.get("time", default_time))
            values = [summary_pb2.Summary.Value(tag=f"{line['event']}/{key}", simple_value=float(value))
                      for key, value in line.items()
                      if key not in SKIPPED and key != "event" and isinstance(value, (int, float))
                      and not isinstance(value, bool) and math.isfinite(value)]
            if values:
                writer.add_event(event_pb2.Event(wall_time=wall_time, step=line["step"],
                                                 summary=summary_pb2.Summary(value=values)))
                count += len(values)
    finally:
        writer.close()
    return count


def convert(run: str, logdir: str | None = None) -> tuple[str, int]:
    """RUN/metrics.jsonl → TensorBoard event files in `logdir` (default RUN/tensorboard). Returns (logdir, scalars)."""
    metrics = os.path.join(run, "metrics.jsonl")
    if not os.path.isfile(metrics):
        raise FileNotFoundError(f"{metrics}: no such file (a run folder of `ebm train` holds metrics.jsonl)")
    logdir = os.path.abspath(logdir or os.path.join(run, "tensorboard"))
    if os.path.abspath(metrics).startswith(logdir + os.sep) or os.path.abspath(metrics) == logdir:
        raise ValueError(f"--logdir {logdir} would hold the input {metrics}")
    lines = read_metrics(metrics)
    parent = os.path.dirname(logdir)
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".tensorboard-", dir=parent)
    try:
        count = write_event_files(lines, scratch, os.path.getmtime(metrics))
        if os.path.isdir(logdir):
            shutil.rmtree(logdir)
        os.rename(scratch, logdir)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return logdir, count


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m energydynamics.tensorboard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", nargs="+", help="run folder(s) of `ebm train`")
    parser.add_argument("--logdir", help="output folder (one run only; default RUN/tensorboard)")
    args = parser.parse_args(argv)
    if args.logdir and len(args.run) > 1:
        parser.error("--logdir takes one run")
    for run in args.run:
        try:
            logdir, count = convert(run, args.logdir)
        except (OSError, ValueError) as error:
            raise SystemExit(f"error: {error}")
        print(f"wrote {count} scalars of {run}/metrics.jsonl to {logdir} (tensorboard --logdir {logdir})")


if __name__ == "__main__":
    main()
