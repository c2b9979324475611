#!/usr/bin/env python3
"""Paper-quality versions of the benchmark figures, drawn with matplotlib from the JSON files that
`ebm evaluate` writes (OUT/metrics.json; OUT/intent.json for --intent).

Each figure is written as PDF (vector, for LaTeX), SVG and PNG (300 dpi) to OUT/figures/ (or
--figures DIR), next to, never over, the evaluate command's own plots. Conventions: real fonts
(DejaVu Sans, embedded as TrueType), ticks at 1-2-5 multiples with tick marks (integer axes get
integer ticks), units on every axis (time in steps and seconds when the dataset's meta.json is
found), markers at the measured points, and the legend outside the axes.

    pip install matplotlib
    python3 benchmarks/figures.py out/evaluate [out/intent ...] [--figures DIR]
"""
import argparse
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GL
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9,
    "legend.fontsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "xtick.direction": "out", "ytick.direction": "out", "xtick.major.size": 3.5, "ytick.major.size": 3.5,
    "lines.linewidth": 1.4, "lines.markersize": 3.5, "pdf.fonttype": 42, "ps.fonttype": 42,
    "svg.fonttype": "none", "savefig.bbox": "tight", "savefig.dpi": 300,
}
# colour-blind safe (Okabe–Ito)
COLORS = {"EBM": "#0072B2", "EBM mean of K": "#0072B2", "EBM best of K": "#56B4E9", "feedforward": "#D55E00",
          "data": "#009E73", "chance": "#7F7F7F", "classifier": "#D55E00"}
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def one_two_five(axis, integer=False):
    axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=integer))


def finite(values):
    return [v if v is not None and math.isfinite(v) else float("nan") for v in values]


class Figure:
    """One figure: lines with markers, units on the axes, legend outside, saved three ways."""

    def __init__(self, title, xlabel, ylabel, integer_x=False, log_y=False, unit_interval=False):
        self.fig, self.ax = plt.subplots(figsize=(4.6, 2.8))
        self.ax.set_title(title)
        self.ax.set_xlabel(xlabel)
        self.ax.set_ylabel(ylabel)
        self.count = 0
        if log_y:
            self.ax.set_yscale("log")
        else:
            one_two_five(self.ax.yaxis)
        one_two_five(self.ax.xaxis, integer=integer_x)
        if unit_interval:
            self.ax.set_ylim(-0.02, 1.02)

    def line(self, x, y, label, color=None, style="-", markers=True):
        y = finite(y)
        n = len(x)
        every = max(1, n // 25) if markers else None  # at most ~25 markers on long curves
        self.ax.plot(x, y, style, label=label, color=color or COLORS.get(label),
                     marker=MARKERS[self.count % len(MARKERS)] if markers else None, markevery=every)
        self.count += 1

    def save(self, folder, name):
        if self.count > 1:
            self.ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, borderaxespad=0)
        os.makedirs(folder, exist_ok=True)
        written = []
        for extension in ("pdf", "svg", "png"):
            path = os.path.join(folder, f"{name}.{extension}")
            self.fig.savefig(path)
            written.append(path)
        plt.close(self.fig)
        return written


def timestep(metrics):
    """dt in seconds from the evaluated dataset's meta.json, when it can be found."""
    try:
        with open(os.path.join(metrics.get("data", ""), "meta.json")) as f:
            return float(json.load(f)["dt"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def state_units(metrics):
    """The units of a state error: from the robot's joint types (energydynamics, when installed)."""
    try:
        with open(os.path.join(metrics.get("data", ""), "meta.json")) as f:
            robot = json.load(f)["robot"]
        import energydynamics
        kinds = set(energydynamics.Model.load(robot).joint_types)
    except Exception:  # no meta.json, no package, or an MJCF file elsewhere: say what the numbers are
        return "state units"
    return {frozenset({"hinge"}): "rad, rad/s", frozenset({"slide"}): "m, m/s"}.get(frozenset(kinds), "rad or m, per s")


def time_label(what, dt):
    return f"{what} (steps of {dt * 1000:g} ms)" if dt else f"{what} (steps)"


def forecast_figures(metrics, folder):
    dt, written, units = timestep(metrics), [], state_units(metrics)
    K = metrics.get("samples")
    curves = metrics.get("error_vs_horizon")
    if curves:
        f = Figure(f"Forecast error vs horizon ({metrics.get('episodes')} contexts, K = {K})",
                   time_label("future step", dt), f"mean |state error| ({units})", integer_x=True)
        f.line(curves["step"], curves["ebm_mean"], "EBM mean of K")
        f.line(curves["step"], curves["ebm_best_of_k"], "EBM best of K")
        if "baseline" in curves:
            f.line(curves["step"], curves["baseline"], "feedforward")
        written += f.save(folder, "error_vs_horizon")
    long = metrics.get("long_horizon")
    if long:
        c, steps = long["curves"], long["curves"]["step"]

        def ebm_and_baseline(figure, key):
            figure.line(steps, c[f"ebm_{key}"], "EBM")
            if f"baseline_{key}" in c:
                figure.line(steps, c[f"baseline_{key}"], "feedforward")
            return figure

        f = ebm_and_baseline(Figure("Rollouts within the data's state ranges", time_label("generated step", dt),
                                    "share of rollouts", integer_x=True, unit_interval=True), "within_range")
        written += f.save(folder, "stability_vs_time")
        f = ebm_and_baseline(Figure("Distance to the data's state distribution", time_label("generated step", dt),
                                    "squared Fréchet distance (std units²)", integer_x=True, log_y=True), "frechet")
        written += f.save(folder, "frechet_vs_time")
        if "ebm_divergence" in c:
            f = ebm_and_baseline(Figure("Implied controls replayed in the simulator", time_label("generated step", dt),
                                        f"|state error| ({units})", integer_x=True, log_y=True), "divergence")
            if "data_divergence" in c:
                f.line(list(range(1, len(c["data_divergence"]) + 1)), c["data_divergence"], "data")
            written += f.save(folder, "physical_divergence")
    quality = metrics.get("quality_vs_steps")
    if quality:
        steps, ebm, base = quality["steps"], quality["ebm"], quality.get("baseline")
        sampler = quality.get("sampler", "sampler")
        goals = (metrics.get("goals") or {}).get("count")
        if goals and "validity" in ebm:
            f = Figure(f"Sample quality vs {sampler} steps", f"{sampler} steps per block", "share", integer_x=True,
                       unit_interval=True)
            f.line(steps, ebm["validity"], "EBM validity", color=COLORS["EBM"])
            f.line(steps, [g / goals for g in ebm["goals_covered"]], f"EBM goals covered / {goals}", color="#56B4E9")
            if base:
                f.line(steps, [base["validity"]] * len(steps), "feedforward validity", color=COLORS["feedforward"],
                       style="--", markers=False)
                f.line(steps, [base["goals_covered"] / goals] * len(steps), f"feedforward goals covered / {goals}",
                       color="#E69F00", style="--", markers=False)
            written += f.save(folder, "quality_vs_steps")
        f = Figure(f"Average displacement error vs {sampler} steps", f"{sampler} steps per block",
                   f"ADE ({units})", integer_x=True)
        f.line(steps, ebm["ade_mean"], "EBM mean of K")
        f.line(steps, ebm["ade_best_of_k"], "EBM best of K")
        if base:
            f.line(steps, [base["ade_mean"]] * len(steps), "feedforward", style="--", markers=False)
        written += f.save(folder, "ade_vs_steps")
    return written


def intent_figures(intent, folder):
    written, observed = [], intent["observed_steps"]
    f = Figure(f"Intent inference ({intent['episodes']} episodes, {intent['goals']} goals)",
               "observed states n", "goal accuracy", integer_x=True, unit_interval=True)
    f.line(observed, intent["ebm_accuracy"], "EBM")
    f.line(observed, intent["classifier_accuracy"], "classifier")
    f.line([observed[0], observed[-1]], [intent["chance"]] * 2, "chance", style=":", markers=False)
    written += f.save(folder, "intent_accuracy")
    attack = intent.get("attack")
    if attack and attack.get("epsilons"):
        f = Figure("Intent under bounded attacks", "ε (L∞, training std units)", "goal accuracy", unit_interval=True)
        for j, n in enumerate(attack["observed_steps"]):
            style = "-" if j == 0 else "--"
            f.line(attack["epsilons"], intent["ebm_adversarial_accuracy"][j], f"EBM, n = {n}", color=COLORS["EBM"], style=style)
            f.line(attack["epsilons"], intent["classifier_adversarial_accuracy"][j], f"classifier, n = {n}",
                   color=COLORS["classifier"], style=style)
        written += f.save(folder, "intent_adversarial")
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", help="output folders of `ebm evaluate` (metrics.json or intent.json)")
    parser.add_argument("--figures", help="where to write (default: FOLDER/figures)")
    args = parser.parse_args(argv)
    plt.rcParams.update(STYLE)
    total = 0
    for folder in args.folders:
        out = args.figures or os.path.join(folder, "figures")
        written = []
        for name, draw in (("metrics.json", forecast_figures), ("intent.json", intent_figures)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                with open(path) as f:
                    written += draw(json.load(f), out)
        if not written:
            sys.exit(f"error: {folder}: no metrics.json or intent.json of `ebm evaluate` with curves")
        print(f"{folder}: wrote {len(written) // 3} figures (PDF, SVG, PNG) to {out}")
        total += len(written)
    return total


if __name__ == "__main__":
    main()
