"""``report.md`` and the PNG plots of a report dict (matplotlib, Agg backend).

:func:`markdown` writes the comparison table (several models) and one section per model
(:func:`model_section`: environment, memory, latency, concurrency, TFLite); :func:`plots`
writes latency against length and batch, concurrency, and the comparison.
"""

from __future__ import annotations

import re
from pathlib import Path

from seqkit.reporting.batching import batching_lines
from seqkit.reporting.estimates import ACTIVATION_FORMULA
from seqkit.reporting.modes import streaming_lines


def fmt_bytes(n) -> str:
    """A byte count in B / KiB / MiB / GiB.

    Args:
        n: bytes, or ``None``.

    Returns:
        The text (``"–"`` for ``None``).

    Example:

    >>> fmt_bytes(512), fmt_bytes(3 * 2**20), fmt_bytes(None)
    ('512 B', '3.0 MiB', '–')
    """
    if n is None:
        return "–"
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def fmt_ms(x) -> str:
    """Milliseconds: 3 decimals below 10 ms, 1 above.

    Args:
        x: milliseconds, or ``None``.

    Returns:
        The text (``"–"`` for ``None``).

    Example:

    >>> fmt_ms(0.12345), fmt_ms(123.45)
    ('0.123', '123.5')
    """
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_num(x, digits=0) -> str:
    """A number with thousands separators.

    Args:
        x: the number, or ``None``.
        digits: decimals.

    Returns:
        The text (``"–"`` for ``None``).

    Example:

    >>> fmt_num(12345.6), fmt_num(0.5, 2)
    ('12,346', '0.50')
    """
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def fmt_ratio(x) -> str:
    """A ratio as ``1.23×``.

    Args:
        x: the ratio, or ``None``.

    Returns:
        The text (``"–"`` for ``None``).

    Example:

    >>> fmt_ratio(0.5)
    '0.50×'
    """
    return "–" if x is None else f"{x:.2f}×"


def slug(name: str) -> str:
    """A file-name-safe lower-case form of a model name.

    Args:
        name: the model's display name.

    Returns:
        Runs of other characters replaced by ``-``.

    Example:

    >>> slug("text_gru v1")
    'text-gru-v1'
    """
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def _table(headers, rows) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


# ---------------------------------------------------------------------------- markdown


def markdown(result) -> str:
    """The whole ``report.md``.

    Args:
        result: the report dict (:func:`seqkit.report`).

    Returns:
        Markdown text.

    Example: :func:`seqkit.report` writes it as ``report.md``; see :func:`model_section`
    for a section.
    """
    opts = result["options"]
    lines = ["# seqkit serving report", "",
             f"Each number comes from a fresh Python process that loaded the SavedModel with "
             f"`tf.saved_model.load` and called `serving_default` (TensorFlow only). Grid: batch "
             f"sizes {opts['batch_sizes']}, lengths {opts['seq_lens'] or 'per model default'}, "
             f"{opts['repeats']} repeats per grid point; threads: "
             f"{opts['threads'] or 'TF default'}.",
             ""]
    lines += comparison_table(result)
    for model in result["models"]:
        lines += model_section(model, result)
    files = result.get("files", {})
    pngs = [Path(v).name for k, v in files.items() if str(v).endswith(".png")]
    if pngs:
        lines += ["## Plots", ""] + [f"![{p}]({p})" for p in pngs] + [""]
    return "\n".join(lines)


def comparison_table(result) -> list[str]:
    """The ``## Comparison`` section (empty for one model).

    Args:
        result: the report dict.

    Returns:
        Markdown lines.

    Example:

    >>> comparison_table({"comparison": None})
    []
    """
    rows = result["comparison"]
    if not rows:
        return []
    small, large = rows[0]["batch_small"], rows[0]["batch_large"]
    headers = ["model", "RNN", "params", "SavedModel", "peak RSS", "load s",
               f"p50 b{small} ms", f"p99 b{small} ms", f"p50 b{large} ms", f"p99 b{large} ms",
               f"ex/s b{large}", "params ×", "size ×", f"p50 b{small} ×", f"p50 b{large} ×",
               f"p99 b{large} ×"]
    body = []
    for r in rows:
        q = r["ratios"]
        body.append([r["model"], r["rnn"], fmt_num(r["params"]), fmt_bytes(r["saved_model_bytes"]),
                     fmt_bytes(r["peak_rss_bytes"]), f"{r['load_s']:.2f}",
                     fmt_ms(r["p50_small_ms"]), fmt_ms(r["p99_small_ms"]),
                     fmt_ms(r["p50_large_ms"]), fmt_ms(r["p99_large_ms"]),
                     fmt_num(r["throughput_large_eps"]), fmt_ratio(q["params"]),
                     fmt_ratio(q["saved_model_bytes"]), fmt_ratio(q["p50_small_ms"]),
                     fmt_ratio(q["p50_large_ms"]), fmt_ratio(q["p99_large_ms"])])
    lens = sorted({r["seq_len"] for r in rows})
    return ["## Comparison", "",
            f"Latency at sequence length {', '.join(map(str, lens))} (steps, or words for "
            f"texts); ratios are to the first model (× < 1: smaller/faster).", "",
            *_table(headers, body), ""]


def model_section(model, result) -> list[str]:
    """One model's section: header, environment, memory, latency, concurrency, TFLite,
    streaming, batching.

    Args:
        model: one entry of ``result["models"]``.
        result: the report dict (unused; kept for the callers).

    Returns:
        Markdown lines.

    Example: :func:`markdown` joins one per model; ``tests/reporting`` checks their
    headings (``### Memory``, ``### Latency``, ...).
    """
    return [*_header_lines(model), *_environment_lines(model), *_memory_lines(model),
            *_latency_lines(model), *_concurrency_lines(model.get("concurrency")),
            *_tflite_lines(model.get("tflite")), *streaming_lines(model.get("streaming")),
            *batching_lines(model.get("batching")), ""]


def _header_lines(model) -> list[str]:
    sig = model["signature"]
    return [f"## {model['name']}", "",
            f"- SavedModel: `{model['path']}` (task: {model['task'] or 'unknown'})",
            "- inputs: " + ", ".join(f"`{k}` {v['dtype']} {v['shape']}"
                                     for k, v in sig["inputs"].items()),
            "- outputs: " + ", ".join(f"`{k}` {v['dtype']} {v['shape']}"
                                      for k, v in sig["outputs"].items()),
            ""]


def _environment_lines(model) -> list[str]:
    env = model["environment"]
    return ["### Environment", "",
            f"- TensorFlow {env['tensorflow']}, Keras {env['keras']}, Python {env['python']}, "
            f"{env['platform']}",
            f"- CPU: {env['cpu_model']} ({env['cpu_count']} logical CPUs, "
            f"{env['cpus_available']} available to the process); TensorFlow threads: intra-op "
            f"{env['intra_op_threads'] or 'default (all)'}, inter-op "
            f"{env['inter_op_threads'] or 'default'}",
            f"- GPU: {', '.join(env['gpus']) if env['gpus'] else 'none visible'}",
            f"- RNN path in the graph: **{model['graph']['path']}** — {model['graph']['note']}",
            ""]


def _memory_lines(model) -> list[str]:
    mem = model["memory"]
    by_dtype = ", ".join(f"{k}: {fmt_num(v)}" for k, v in mem["params_by_dtype"].items())
    rss = mem["rss"]
    rows = [["parameters", f"{fmt_num(mem['params'])} ({by_dtype})"],
            ["parameter bytes", fmt_bytes(mem["param_bytes"])],
            ["SavedModel on disk (variables)", f"{fmt_bytes(mem['saved_model_bytes'])} "
                                               f"({fmt_bytes(mem['variables_bytes'])})"],
            ["peak RSS after import", fmt_bytes(rss["after_import"]["peak_bytes"])],
            ["peak RSS after load", fmt_bytes(rss["after_load"]["peak_bytes"])],
            ["peak RSS after warmup", fmt_bytes(rss["after_warmup"]["peak_bytes"])],
            ["peak RSS after the grid", fmt_bytes(rss["after_inference"]["peak_bytes"])],
            ["RSS added by loading the model", fmt_bytes(mem["rss_model_bytes"])],
            ["GPU peak", fmt_bytes(mem["gpu_peak_bytes"]) if mem["gpu_peak_bytes"] is not None
             else "no GPU"]]
    est = mem["activation_estimate"] or {}
    if est.get("per_example_bytes"):
        per = ", ".join(f"T={t}: {fmt_bytes(v)}" for t, v in est["per_example_bytes"].items())
        rows.append(["activation/state estimate per example", per])
        big = ", ".join(f"T={t}: {fmt_bytes(v)}" for t, v in est["largest_batch_bytes"].items())
        rows.append([f"… at batch {est['largest_batch']}", big])
    return ["### Memory", "", *_table(["quantity", "value"], rows),
            "", f"Activation estimate: {ACTIVATION_FORMULA}", ""]


def _latency_lines(model) -> list[str]:
    lat = model["latency"]
    cold = lat["cold"] or {}
    warm = lat["warmup"] or {}
    out = ["### Latency", "",
           f"- import TensorFlow: {lat['import_s']:.2f} s; load: {lat['load_s']:.3f} s",
           f"- cold (fresh process, no warmup, batch 1, length {cold.get('seq_len', '–')}): "
           f"first call {fmt_ms(cold.get('first_call_ms'))} ms, second "
           f"{fmt_ms(cold.get('second_call_ms'))} ms",
           f"- warmup replay: {warm.get('records', 0)} records in "
           f"{fmt_ms(warm.get('total_ms'))} ms (first record {fmt_ms(warm.get('first_record_ms'))}"
           f" ms); first call after warmup: {fmt_ms(lat['first_call_after_warmup_ms'])} ms",
           ""]
    fixed = [t["output_sequence_length"] for t in model.get("text_vectorization") or []
             if t.get("output_sequence_length")]
    if fixed:
        out += [f"Texts are padded/truncated to {fixed[0]} tokens inside the model "
                f"(TextVectorization output_sequence_length), so the RNN always runs "
                f"{fixed[0]} steps whatever the number of words.", ""]
    out += ["Steady state (after warm-up; per repeat, then the median over repeats):", ""]
    grid_rows = [[r["batch"], r["seq_len"], fmt_ms(r["p50_ms"]), fmt_ms(r["p90_ms"]),
                  fmt_ms(r["p99_ms"]), fmt_ms(r["max_ms"]), fmt_num(r["throughput_eps"]),
                  f"{r['repeats']}×{r['calls_per_repeat']}"] for r in lat["grid"]]
    return out + _table(["batch", "length", "p50 ms", "p90 ms", "p99 ms", "max ms",
                         "examples/s", "repeats×calls"], grid_rows)


def _concurrency_lines(conc) -> list[str]:
    if not conc:
        return []
    return ["", "### Concurrency", "",
            f"{conc['threads']} threads × {conc['calls_per_thread']} calls on one loaded "
            f"signature (batch {conc['batch']}, length {conc['seq_len']}): "
            f"{conc['errors']} errors, {conc['identical_outputs']}/{conc['calls']} outputs "
            f"bit-identical to the single-thread output (max |diff| "
            f"{conc['max_abs_diff']:.3g}); throughput {fmt_num(conc['throughput_eps'])} "
            f"examples/s vs {fmt_num(conc['single_thread_throughput_eps'])} single-threaded."]


def _tflite_lines(tfl) -> list[str]:
    if not tfl:
        return []
    out = ["", "### TFLite", ""]
    if tfl["status"] != "ok":
        return out + [f"Conversion failed: {tfl.get('reason')}"]
    conv = ", ".join(f"b{c['batch']} {c.get('source', 'converted')} "
                     f"{c.get('path') or '?'} {fmt_bytes(c['bytes'])}"
                     for c in tfl["conversions"] if c["ok"])
    interpreter = tfl.get("interpreter") or "tf.lite.Interpreter"
    out.append(f"TFLite builtins (batch fixed per file, length dynamic; `export` = the "
               f"export's assets.extra/model.tflite, `converted` = converted here; path "
               f"`fused` = UNIDIRECTIONAL_SEQUENCE_LSTM, `loop` = WHILE): {conv}; "
               f"`{interpreter}` with {tfl['threads']} threads (XNNPACK). "
               f"Equal to the SavedModel (rtol=atol=1e-5): "
               f"{'yes' if tfl['equal'] else 'NO'} (max |diff| "
               f"{tfl['max_abs_diff']:.3g}, {tfl['mismatched']} mismatched values). "
               f"Median p50 speed-up vs the SavedModel: "
               f"{fmt_ratio(tfl['median_speedup_p50'])}.")
    if tfl.get("reason"):
        out.append(f"Some batch sizes failed: {tfl['reason']}")
    return out + [""] + _table(
        ["batch", "length", "file", "path", "p50 ms", "p99 ms", "examples/s", "speed-up p50"],
        [[r["batch"], r["seq_len"], r.get("source", "converted"), r.get("path") or "?",
          fmt_ms(r["p50_ms"]), fmt_ms(r["p99_ms"]), fmt_num(r["throughput_eps"]),
          fmt_ratio(r.get("speedup_p50"))]
         for r in tfl["grid"]])


# ------------------------------------------------------------------------------- plots


def plots(result, out_dir) -> dict:
    """Write the PNG plots of a report; returns ``{plot name: path}``.

    Per model: latency against length (p50, dotted p99, TFLite dashed), latency and
    throughput against batch size, and the concurrency check; for several models also the
    comparison bars. File names get ``-<model slug>`` when there are several models.

    Args:
        result: the report dict.
        out_dir: the folder to write into.

    Returns:
        ``{"latency_vs_seq_len[-slug]": path, "latency_vs_batch[-slug]": path,
        "concurrency[-slug]": path, "comparison": path}`` (those that apply).

    Example: :func:`seqkit.report` calls it unless ``plots=False``; ``tests/reporting``
    checks the files.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)

    files = {}
    several = len(result["models"]) > 1
    for model in result["models"]:
        suffix = f"-{slug(model['name'])}" if several else ""
        for name, draw in (("latency_vs_seq_len", _latency_vs_seq_len_plot),
                           ("latency_vs_batch", _latency_vs_batch_plot),
                           ("concurrency", _concurrency_plot)):
            fig = draw(model)
            if fig is not None:
                files[f"{name}{suffix}"] = _save(fig, out_dir, f"{name}{suffix}.png")
    if several and result["comparison"]:
        files["comparison"] = _save(_comparison_plot(result["comparison"]), out_dir,
                                    "comparison.png")
    return files


def _log_axes(ax, x_values):
    from matplotlib.ticker import ScalarFormatter

    if len(x_values) > 1:
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.set_yscale("log")
    ax.legend(fontsize=7)


def _latency_vs_seq_len_plot(model):
    import matplotlib.pyplot as plt

    grid = model["latency"]["grid"]
    tfl = (model.get("tflite") or {}).get("grid") or []
    fig, ax = plt.subplots(figsize=(6, 4))
    for b in sorted({r["batch"] for r in grid}):
        rows = sorted((r for r in grid if r["batch"] == b), key=lambda r: r["seq_len"])
        line, = ax.plot([r["seq_len"] for r in rows], [r["p50_ms"] for r in rows], "o-",
                        label=f"batch {b} p50")
        ax.plot([r["seq_len"] for r in rows], [r["p99_ms"] for r in rows], ":",
                color=line.get_color(), alpha=0.7)
        trows = sorted((r for r in tfl if r["batch"] == b), key=lambda r: r["seq_len"])
        if trows:
            ax.plot([r["seq_len"] for r in trows], [r["p50_ms"] for r in trows], "s--",
                    color=line.get_color(), label=f"batch {b} TFLite p50")
    ax.set(xlabel="sequence length (steps / words)", ylabel="latency (ms)",
           title=f"{model['name']}: latency vs length (dotted: p99)")
    _log_axes(ax, sorted({r["seq_len"] for r in grid}))
    return fig


def _latency_vs_batch_plot(model):
    import matplotlib.pyplot as plt

    grid = model["latency"]["grid"]
    batches = sorted({r["batch"] for r in grid})
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for t in sorted({r["seq_len"] for r in grid}):
        rows = sorted((r for r in grid if r["seq_len"] == t), key=lambda r: r["batch"])
        ax1.plot([r["batch"] for r in rows], [r["p50_ms"] for r in rows], "o-",
                 label=f"length {t}")
        ax2.plot([r["batch"] for r in rows], [r["throughput_eps"] for r in rows], "o-",
                 label=f"length {t}")
    for ax, ylabel in ((ax1, "p50 latency (ms)"), (ax2, "throughput (examples/s)")):
        ax.set(xlabel="batch size", ylabel=ylabel)
        _log_axes(ax, batches)
    fig.suptitle(f"{model['name']}: latency and throughput vs batch size")
    return fig


def _concurrency_plot(model):
    conc = model.get("concurrency")
    if not conc:
        return None
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    values = [conc["single_thread_throughput_eps"], conc["throughput_eps"]]
    ax.bar(["1 thread", f"{conc['threads']} threads"], values,
           color=["#888", "#2a7" if conc["all_equal"] else "#c33"])
    ax.set(ylabel="throughput (examples/s)",
           title=f"{model['name']}: one signature, {conc['threads']} threads\n"
                 f"{conc['errors']} errors, outputs "
                 f"{'all equal' if conc['all_equal'] else 'DIFFER'}")
    return fig


def _comparison_plot(rows):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.2
    keys = [("p50_small_ms", f"p50 b{rows[0]['batch_small']}"),
            ("p99_small_ms", f"p99 b{rows[0]['batch_small']}"),
            ("p50_large_ms", f"p50 b{rows[0]['batch_large']}"),
            ("p99_large_ms", f"p99 b{rows[0]['batch_large']}")]
    for i, (key, label) in enumerate(keys):
        ax.bar([j + (i - 1.5) * width for j in range(len(rows))],
               [r[key] or 0 for r in rows], width, label=label)
    ax.set_xticks(range(len(rows)), [r["model"] for r in rows])
    ax.set(ylabel="latency (ms)", title="comparison (median over repeats)")
    ax.legend(fontsize=7)
    return fig


def _save(fig, out_dir, name) -> str:
    import matplotlib.pyplot as plt

    path = Path(out_dir) / name
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)
