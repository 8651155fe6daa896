"""Stand-ins for the study's run processes and serving report (tests of which runs the
study asks for and what it does with their records; the real processes are run by
tests/study/test_compare.py)."""

import math


class FakeChildren:
    """Stands in for the run processes: a record per run and an export folder; for a
    tuning trial (``probe=None``) a validation loss with its minimum at ``best_lr`` and
    ``best_units``; a crash on call ``crash_at``."""

    def __init__(self, tmp_path, crash_at=None, best_lr=1e-3, best_units=6):
        self.tmp_path, self.crash_at, self.names, self.options = tmp_path, crash_at, [], []
        self.best_lr, self.best_units = best_lr, best_units

    def __call__(self, task, options, probe):
        self.names.append(options["name"])
        self.options.append(options)
        if len(self.names) == self.crash_at:
            raise RuntimeError(f"comparison run {options['name']} failed (exit 1): killed")
        scale = 0.75 if options["cell"] == "gru" else 1.0
        counts = {"params": 100 * scale, "rnn_params": 80 * scale, "rnn_input_dim": 1}
        if probe is None:
            lr, units = options["learning_rate"], options["units"]
            loss = (math.log10(lr / self.best_lr)) ** 2 + ((units - self.best_units) / 4) ** 2
            return {"objective": loss, **counts}
        export = self.tmp_path / "sm" / options["name"]
        export.mkdir(parents=True, exist_ok=True)
        return {"cell": options["cell"], "units": options["units"], "seed": options["seed"],
                **counts, "s_per_step": 0.01 * scale + 0.001 * options["seed"],
                "activation_mb": 10 * scale, "metric": 1.0 + 0.01 * options["seed"],
                "steps_run": 30, "export": str(export)}


def fake_serve(runs, config, out_dir):
    for cell_runs in runs.values():
        for run in cell_runs:
            run["p50_b64_ms"] = 2.0 if run["cell"] == "gru" else 3.0
    return "serving report"
