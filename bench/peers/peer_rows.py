"""Rows of peer measurements in the fields of fusedstep's `./fusedstep bench --json`.

Torch-free on purpose: torch_optim.py imports it, and its --self-check runs it on a machine
without PyTorch. A row has fusedstep's fields first (kernel, variant, layout, size, threads,
ns_per_param, gbps), then the peer's own (device, impl, tensors, bytes_per_param, ms, spread,
samples, device_name, torch, anchor_ms, note).
"""

import json
import math
import os
import platform
import statistics

# Bytes a one-pass implementation of each job must move per parameter: every input read once,
# every output written once (the same rule as fusedstep's BenchRows and Layout). GB/s in the
# rows comes from these, so a peer that moves more than the job needs shows a lower number.
BYTES_PER_PARAM = {
    # read p, g, m, v; write p, m, v
    ("AdamW", "f32"): 28,
    ("AdamW", "bf16"): 14,
    # BF16 param and grad, float32 master and states: read g 2, master 4, m 4, v 4;
    # write master 4, m 4, v 4, param 2 (fusedstep's Layout.MASTER_BF16)
    ("AdamW", "master_bf16"): 28,
    ("AdamW", "f32_bf16_states"): 20,
    # + read and write max_exp_avg_sq
    ("AdamW amsgrad", "f32"): 36,
    # read p, g, buf; write p, buf
    ("SGD momentum", "f32"): 20,
    ("SGD momentum", "bf16"): 10,
    ("SGD momentum", "master_bf16"): 20,
    ("SGD momentum", "f32_bf16_states"): 16,
    # an inf/NaN check over the grads (read 4) before the step can be skipped, then the step
    ("AdamW + GradScaler", "f32"): 32,
    # the global norm (read g 4), then the step with the clip coefficient folded in
    ("AdamW + clip_grad_norm_", "f32"): 32,
    # read 4, write 2 (fusedstep's CastsBench)
    ("cast", "f32_to_bf16"): 6,
    # the norm (read 4), then the grads scaled in place (read 4, write 4)
    ("clip_grad_norm_", "f32"): 12,
    # read 4 (fusedstep's NormBench)
    ("L2 norm", "f32"): 4,
    # write 4
    ("normal_", "f32"): 4,
    # the roofline: a copy that reads and writes as many bytes as the float32 AdamW step
    ("copy", "f32"): 28,
}

FIELDS = ("kernel", "variant", "layout", "size", "threads", "ns_per_param", "gbps", "device", "impl",
          "tensors", "bytes_per_param", "ms", "spread", "samples", "device_name", "torch", "anchor_ms", "note")


def bytes_per_param(kernel, layout):
    try:
        return BYTES_PER_PARAM[(kernel, layout)]
    except KeyError:
        known = ", ".join(f"{k}/{l}" for k, l in BYTES_PER_PARAM)
        raise ValueError(f"bytes_per_param: got kernel {kernel!r} layout {layout!r}, expected one of {known}") from None


def significant(v, digits=4):
    """v rounded to `digits` significant digits (GPU rows have ns/param around 0.01)."""
    if v is None or v == 0 or not math.isfinite(v):
        return v
    return round(v, digits - 1 - int(math.floor(math.log10(abs(v)))))


def spread(seconds):
    """(90th - 10th percentile) / median of the samples: 0 for fewer than two."""
    if len(seconds) < 2:
        return 0.0
    deciles = statistics.quantiles(seconds, n=10, method="inclusive")
    return (deciles[-1] - deciles[0]) / statistics.median(seconds)


def make_row(*, kernel, variant, layout, size, threads, seconds, device, impl, tensors,
             device_name, torch_version, anchor_ms=None, note=None):
    """One row from the per-step times in seconds; the median is the score."""
    if not seconds:
        raise ValueError(f"seconds: got no samples for {kernel} {variant} {layout} {tensors}, expected at least one")
    if size <= 0:
        raise ValueError(f"size: got {size}, expected a positive parameter count")
    b = bytes_per_param(kernel, layout)
    median = statistics.median(seconds)
    ns = median * 1e9
    values = {
        "kernel": kernel, "variant": variant, "layout": layout, "size": size, "threads": threads,
        "ns_per_param": significant(ns / size),
        "gbps": significant(b * size / ns),  # bytes per ns = GB/s
        "device": device, "impl": impl, "tensors": tensors, "bytes_per_param": b,
        "ms": significant(median * 1e3), "spread": significant(spread(seconds), 3), "samples": len(seconds),
        "device_name": device_name, "torch": torch_version, "anchor_ms": anchor_ms, "note": note,
    }
    return {f: values[f] for f in FIELDS}


def write_json(path, rows):
    """A list of row objects, like fusedstep's rows.json."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
        f.write("\n")


def size_label(n):
    """64M, 64K as fusedstep prints them; other counts in millions (124.4M)."""
    if n % (1 << 20) == 0:
        return f"{n >> 20}M"
    if n % (1 << 10) == 0:
        return f"{n >> 10}K"
    return f"{n / 1e6:.1f}M"


def table(rows):
    """An aligned plain-text table: text columns left, numbers right."""
    head = ("device", "kernel", "variant", "layout", "tensors", "size", "threads", "ms", "ns/param", "GB/s",
            "spread", "anchor ms")
    cells = [head]
    for r in rows:
        # fusedstep's GPU rows (GpuBench) carry null numbers for a case that was refused or failed
        cells.append((r["device"], r["kernel"], r["variant"], r["layout"], r["tensors"], size_label(r["size"]),
                      "-" if r["threads"] is None else str(r["threads"]), number(r["ms"], ".4g"),
                      number(r["ns_per_param"], ".4g"), number(r["gbps"], ".1f"), number(r["spread"], ".2f"),
                      number(r["anchor_ms"], "g")))
    width = [max(len(c[i]) for c in cells) for i in range(len(head))]
    text_columns = 5
    lines = []
    for c in cells:
        parts = [c[i].ljust(width[i]) if i < text_columns else c[i].rjust(width[i]) for i in range(len(head))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def number(v, spec):
    """v formatted with spec, or "-" for None (a row without a measurement)."""
    return "-" if v is None else format(v, spec)


def all_threads():
    """The cores this process may run on (what JMH's vectorAll and torch's 'all threads' use)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
