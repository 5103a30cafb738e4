#!/usr/bin/env python3
"""PyTorch's optimizer steps and training-loop ops, measured as peers of fusedstep's kernels.

    python3 bench/peers/torch_optim.py [--device cpu|cuda|all] [--quick] [--repeats N] [--json FILE]
    python3 bench/peers/torch_optim.py --list          # the cases, without PyTorch
    python3 bench/peers/torch_optim.py --self-check    # checks the torch-free parts, without PyTorch

Prints one row per case and writes them (after every case, so a run cut short keeps what it
measured) as JSON with fusedstep's row fields; see bench/peers/README.md. PyTorch is imported
only to measure, so this file loads and checks itself where PyTorch is missing.
"""

import argparse
import contextlib
import dataclasses
import datetime
import gc
import io
import math
import os
import platform
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_rows  # noqa: E402  (beside this file; the path line above makes it importable from anywhere)

K64 = 1 << 16
M16 = 1 << 24
M64 = 1 << 26

# Anchors in ms per step, measured on 2026-11-23 with PyTorch 2.11 (CPU: the GPU machine's
# 16-core Xeon, one thread unless the key says "all"; CUDA: an H100 80GB HBM3). They are shown
# beside the new numbers as a sanity check. Key: (device, kernel, layout, tensors, impl, threads).
ANCHORS_MS = {
    ("cpu", "AdamW", "f32", "1x16M", "fused", "1"): 19.5,
    ("cpu", "AdamW", "f32", "1x16M", "fused", "all"): 3.19,
    ("cpu", "AdamW", "bf16", "1x16M", "fused", "1"): 23.7,
    ("cpu", "cast", "f32_to_bf16", "1x16M", "op", "1"): 25.8,
    ("cpu", "clip_grad_norm_", "f32", "1x16M", "default", "1"): 12.5,
    ("cpu", "normal_", "f32", "1x16M", "op", "1"): 98.6,
    ("cuda", "AdamW", "f32", "1x64M", "fused", None): 0.851,
    ("cuda", "AdamW", "f32", "4096x4096", "fused", None): 20.8,
    # 2963 GB/s over the 28 B x 64M that the copy case moves
    ("cuda", "copy", "f32", "1x64M", "op", None): 0.634,
    ("cuda", "SGD momentum", "f32", "1x64M", "fused", None): 0.745,
    ("cuda", "AdamW amsgrad", "f32", "1x64M", "fused", None): 0.992,
    ("cuda", "normal_", "f32", "1x64M", "op", None): 0.165,
    # The anchor run's "GPT-2 small" set had 216 tensors / 127.6M params, which the shape list
    # below does not give (see GPT2_NOTE); shown for scale only.
    ("cuda", "AdamW", "f32", "gpt2-small", "fused", None): 2.28,
    ("cuda", "AdamW", "master_bf16", "gpt2-small", "fused", None): 8.07,
    ("cuda", "AdamW + GradScaler", "f32", "gpt2-small", "fused", None): 3.04,
    ("cuda", "AdamW + clip_grad_norm_", "f32", "gpt2-small", "fused", None): 3.71,
}


def gpt2_small_shapes(vocab=50257, context=1024, width=768, layers=12):
    """The parameter shapes of GPT-2 small (Hugging Face names; lm_head is tied to wte)."""
    shapes = [(vocab, width), (context, width)]  # wte, wpe
    for _ in range(layers):
        shapes += [
            (width,), (width,),  # ln_1 weight, bias
            (width, 3 * width), (3 * width,),  # attn.c_attn weight, bias
            (width, width), (width,),  # attn.c_proj
            (width,), (width,),  # ln_2
            (width, 4 * width), (4 * width,),  # mlp.c_fc
            (4 * width, width), (width,),  # mlp.c_proj
        ]
    shapes += [(width,), (width,)]  # ln_f weight, bias
    return shapes


GPT2 = gpt2_small_shapes()
GPT2_NOTE = "GPT-2 small as listed in bench/peers/README.md: %d tensors, %d params" % (
    len(GPT2), sum(math.prod(s) for s in GPT2))

# PyTorch's AdamW defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01) as in
# fusedstep's AdamWBench; SGD as in its SgdMomentumBench.
SGD_MOMENTUM = {"lr": 1e-3, "momentum": 0.9}
IMPL_FLAGS = {"fused": {"fused": True}, "foreach": {"foreach": True}, "forloop": {"foreach": False, "fused": False}}


class Env:
    """What a case builds its tensors with: the torch module and the device."""

    def __init__(self, torch, device):
        self.torch = torch
        self.device = device

    def randn(self, shape, dtype=None):
        # float32 normal values cast afterwards: never zeros, the same values for every dtype
        t = self.torch.randn(shape, device=self.device, dtype=self.torch.float32)
        return t if dtype is None else t.to(dtype)

    def params(self, shapes, dtype=None):
        """Parameters with random values and random .grad, as after a backward pass."""
        ps = []
        for s in shapes:
            p = self.torch.nn.Parameter(self.randn(s, dtype))
            p.grad = self.randn(s, dtype)
            ps.append(p)
        return ps


def adamw(impl, dtype_name=None, amsgrad=False):
    def build(env, shapes):
        dtype = None if dtype_name is None else getattr(env.torch, dtype_name)
        opt = env.torch.optim.AdamW(env.params(shapes, dtype), amsgrad=amsgrad, **IMPL_FLAGS[impl])
        return opt.step
    return build


def sgd_momentum(impl):
    def build(env, shapes):
        opt = env.torch.optim.SGD(env.params(shapes), **SGD_MOMENTUM, **IMPL_FLAGS[impl])
        return opt.step
    return build


def cast_to_bf16(env, shapes):
    src = env.randn(shapes[0])
    dst = env.torch.empty(shapes[0], device=env.device, dtype=env.torch.bfloat16)
    return lambda: dst.copy_(src)


def copy_same_bytes(env, shapes):
    # float32 buffers of 3.5 elements per parameter: 14 B read + 14 B written = AdamW's 28 B
    n = math.prod(shapes[0]) * 7 // 2
    src = env.randn((n,))
    dst = env.torch.empty((n,), device=env.device)
    return lambda: dst.copy_(src)


def clip_grad_norm(env, shapes):
    params = env.params(shapes)
    # max_norm 1.0: the first call scales the grads to norm 1, later calls by about 1 (no drift)
    return lambda: env.torch.nn.utils.clip_grad_norm_(params, 1.0)


def l2_norm(env, shapes):
    g = env.randn(shapes[0])
    return lambda: env.torch.linalg.vector_norm(g)


def normal_init(env, shapes):
    t = env.torch.empty(shapes[0], device=env.device)
    return lambda: t.normal_()


def adamw_with_clip(env, shapes):
    params = env.params(shapes)
    opt = env.torch.optim.AdamW(params, fused=True)

    def step():
        env.torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return step


def adamw_with_grad_scaler(env, shapes):
    torch = env.torch
    opt = torch.optim.AdamW(env.params(shapes), fused=True)
    # Scale 1 and no growth: the fused kernel writes the unscaled grads back each step, so any
    # other scale would shrink them step after step. The work per step is the same.
    scaler = torch.amp.GradScaler("cuda", init_scale=1.0, growth_interval=1 << 30)
    scaler.scale(torch.ones((), device=env.device))  # creates the scale tensor, as scaling a loss does

    def step():
        scaler.step(opt)
        scaler.update()
    return step


def mixed_precision_recipe(env, shapes):
    """BF16 model params and grads; float32 masters stepped by fused AdamW: cast in, step, cast out."""
    torch = env.torch
    params16 = [env.randn(s, torch.bfloat16) for s in shapes]
    grads16 = [env.randn(s, torch.bfloat16) for s in shapes]
    masters = []
    for p in params16:
        m = torch.nn.Parameter(p.float())
        m.grad = torch.empty_like(m)
        masters.append(m)
    grads32 = [m.grad for m in masters]
    opt = torch.optim.AdamW(masters, fused=True)

    def step():
        torch._foreach_copy_(grads32, grads16)  # one multi-tensor cast, BF16 -> float32
        opt.step()
        torch._foreach_copy_(params16, masters)  # float32 -> BF16
    return step


@dataclasses.dataclass(frozen=True)
class Case:
    device: str  # "cpu" or "cuda"
    kernel: str
    layout: str
    impl: str  # fused | foreach | forloop for optimizers; op or default (torch's own choice) otherwise
    tensors: str  # the tensor set's label
    shapes: tuple
    build: object  # (Env, shapes) -> a step callable; its closure keeps the tensors alive

    @property
    def size(self):
        return sum(math.prod(s) for s in self.shapes)

    @property
    def variant(self):
        return "torch_" + self.impl


def one(n):
    return ((n,),)


def tensor_set(label):
    return {"1x64K": one(K64), "1x16M": one(M16), "1x64M": one(M64),
            "gpt2-small": tuple(GPT2), "4096x4096": ((4096,),) * 4096}[label]


def cpu_cases():
    cases = []
    for label in ("1x64K", "1x16M"):
        for impl in ("fused", "foreach", "forloop"):
            cases.append(Case("cpu", "AdamW", "f32", impl, label, tensor_set(label), adamw(impl)))
    big = tensor_set("1x16M")
    cases += [
        Case("cpu", "AdamW", "bf16", "fused", "1x16M", big, adamw("fused", "bfloat16")),
        Case("cpu", "cast", "f32_to_bf16", "op", "1x16M", big, cast_to_bf16),
        Case("cpu", "clip_grad_norm_", "f32", "default", "1x16M", big, clip_grad_norm),
        Case("cpu", "L2 norm", "f32", "op", "1x16M", big, l2_norm),
        Case("cpu", "normal_", "f32", "op", "1x16M", big, normal_init),
    ]
    return cases


def cuda_cases():
    big, gpt2, many = tensor_set("1x64M"), tensor_set("gpt2-small"), tensor_set("4096x4096")
    return [
        Case("cuda", "copy", "f32", "op", "1x64M", big, copy_same_bytes),
        Case("cuda", "AdamW", "f32", "fused", "1x64M", big, adamw("fused")),
        Case("cuda", "AdamW", "f32", "foreach", "1x64M", big, adamw("foreach")),
        Case("cuda", "AdamW", "f32", "fused", "gpt2-small", gpt2, adamw("fused")),
        Case("cuda", "AdamW", "f32", "foreach", "gpt2-small", gpt2, adamw("foreach")),
        Case("cuda", "AdamW", "f32", "fused", "4096x4096", many, adamw("fused")),
        Case("cuda", "AdamW", "master_bf16", "fused", "gpt2-small", gpt2, mixed_precision_recipe),
        Case("cuda", "AdamW + GradScaler", "f32", "fused", "gpt2-small", gpt2, adamw_with_grad_scaler),
        Case("cuda", "AdamW + clip_grad_norm_", "f32", "fused", "gpt2-small", gpt2, adamw_with_clip),
        Case("cuda", "SGD momentum", "f32", "fused", "1x64M", big, sgd_momentum("fused")),
        Case("cuda", "AdamW amsgrad", "f32", "fused", "1x64M", big, adamw("fused", amsgrad=True)),
        Case("cuda", "normal_", "f32", "op", "1x64M", big, normal_init),
    ]


def thread_counts():
    n = peer_rows.all_threads()
    return [1] if n == 1 else [1, n]


def anchor(case, threads):
    key = "1" if threads == 1 else "all" if threads is not None else None
    return ANCHORS_MS.get((case.device, case.kernel, case.layout, case.tensors, case.impl, key))


def time_cpu(step, repeats, min_sample_s):
    """Per-step seconds: a few warm-up steps, then `repeats` samples of enough steps to last min_sample_s."""
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    step()
    inner = max(1, math.ceil(min_sample_s / max(time.perf_counter() - t0, 1e-9)))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            step()
        samples.append((time.perf_counter_ns() - t0) / inner / 1e9)
    return samples


def time_cuda(torch, step, repeats, warmup):
    """Per-step seconds from CUDA events around each step, recorded back to back (no sync between)."""
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    for s, e in zip(starts, ends):
        s.record()
        step()
        e.record()
    torch.cuda.synchronize()
    return [s.elapsed_time(e) / 1e3 for s, e in zip(starts, ends)]


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="torch_optim.py",
        description="PyTorch optimizer steps as peers of fusedstep's kernels (see bench/peers/README.md).")
    p.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                   help="where to measure (default all: the CPU, then CUDA if there is a GPU)")
    p.add_argument("--quick", action="store_true",
                   help="fewer samples: 5 per CPU case, 15 per CUDA case (default 20 and 50)")
    p.add_argument("--repeats", type=positive_int, metavar="N", help="timed samples per case (overrides --quick)")
    p.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    p.add_argument("--list", action="store_true", help="print the cases and exit (no PyTorch needed)")
    p.add_argument("--self-check", action="store_true", help="check the torch-free parts and exit")
    return p.parse_args(argv)


def positive_int(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}, expected a positive whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"got {n}, expected a positive whole number")
    return n


def planned(device):
    return (cpu_cases() if device in ("cpu", "all") else []) + (cuda_cases() if device in ("cuda", "all") else [])


def list_cases(device):
    for c in planned(device):
        threads = "1 and all" if c.device == "cpu" else "-"
        print(f"{c.device:5} {c.kernel:24} {c.layout:12} {c.variant:14} {c.tensors:11} "
              f"{peer_rows.size_label(c.size):>7} threads {threads:9} {peer_rows.bytes_per_param(c.kernel, c.layout)} B/param")
    print(GPT2_NOTE)


class Run:
    """Measures cases, keeps the rows and rewrites the JSON file after each one."""

    def __init__(self, torch, args):
        self.torch = torch
        self.args = args
        self.rows = []
        self.failures = []

    def measure(self, case, device_name, threads, timer):
        label = f"{case.device} {case.kernel} {case.layout} {case.variant} {case.tensors} threads={threads}"
        env = Env(self.torch, case.device)
        step = None
        try:
            with self.torch.no_grad():
                step = case.build(env, case.shapes)
                seconds = timer(step)
        except Exception as e:  # one broken case must not cost the others' numbers
            self.failures.append(label)
            print(f"FAILED {label}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(limit=3)
            return
        finally:
            del step
            gc.collect()
            if case.device == "cuda":
                self.torch.cuda.empty_cache()
        row = peer_rows.make_row(
            kernel=case.kernel, variant=case.variant, layout=case.layout, size=case.size, threads=threads,
            seconds=seconds, device=case.device, impl=case.impl, tensors=case.tensors, device_name=device_name,
            torch_version=self.torch.__version__, anchor_ms=anchor(case, threads),
            note=GPT2_NOTE if case.tensors == "gpt2-small" else None)
        self.rows.append(row)
        print(f"{label}: {row['ms']:.4g} ms, {row['gbps']:.1f} GB/s, spread {row['spread']:.2f}", flush=True)
        if self.args.json:
            peer_rows.write_json(self.args.json, self.rows)

    def cpu(self):
        torch = self.torch
        repeats = self.args.repeats or (5 if self.args.quick else 20)
        min_sample = 0.01 if self.args.quick else 0.02
        name = peer_rows.cpu_name()
        print(f"CPU: {name}, {peer_rows.all_threads()} usable cores, torch default threads {torch.get_num_threads()}", flush=True)
        default_threads = torch.get_num_threads()
        try:
            for threads in thread_counts():
                torch.set_num_threads(threads)
                for case in cpu_cases():
                    self.measure(case, name, threads, lambda s: self.time_cpu(s, repeats, min_sample))
        finally:
            torch.set_num_threads(default_threads)

    def cuda(self):
        torch = self.torch
        repeats = self.args.repeats or (15 if self.args.quick else 50)
        name = torch.cuda.get_device_name()
        print(f"CUDA: {name}, torch {torch.__version__}, CUDA {torch.version.cuda}", flush=True)
        for case in cuda_cases():
            self.measure(case, name, None, lambda s: self.time_cuda(s, repeats, 5))

    # the timers, as methods so that the self-check can run every case with a fake torch
    def time_cpu(self, step, repeats, min_sample_s):
        return time_cpu(step, repeats, min_sample_s)

    def time_cuda(self, step, repeats, warmup):
        return time_cuda(self.torch, step, repeats, warmup)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.self_check:
        return self_check()
    if args.list:
        list_cases(args.device)
        return 0
    try:
        import torch
    except ImportError as e:
        print(f"torch_optim.py: PyTorch is not importable here ({e}); --list and --self-check work without it",
              file=sys.stderr)
        return 1
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"== torch_optim.py {started}, torch {torch.__version__}, python {platform.python_version()}", flush=True)
    print(GPT2_NOTE, flush=True)
    run = Run(torch, args)
    if args.device in ("cpu", "all"):
        run.cpu()
    if args.device in ("cuda", "all"):
        if torch.cuda.is_available():
            run.cuda()
        elif args.device == "cuda":
            print("torch_optim.py: --device cuda: torch.cuda.is_available() is False here", file=sys.stderr)
            return 1
        else:
            print("no CUDA device here: CUDA cases skipped", flush=True)
    print()
    print(peer_rows.table(run.rows), end="")
    print("GB/s from the bytes each job must move (bytes_per_param); ms = median per step; "
          "spread = (p90 - p10) / median; anchor = 2026-11-23 (CUDA: H100).")
    if args.json:
        peer_rows.write_json(args.json, run.rows)
        print(f"rows written to {args.json}")
    if run.failures:
        print(f"{len(run.failures)} case(s) failed: " + "; ".join(run.failures), file=sys.stderr)
        return 1
    return 0


def self_check():
    """Checks what runs without PyTorch: arguments, the case list, the byte table, rows and JSON."""
    import json

    a = parse_args([])
    assert (a.device, a.quick, a.repeats, a.json) == ("all", False, None, None), a
    a = parse_args(["--device", "cuda", "--quick", "--repeats", "7", "--json", "r.json"])
    assert (a.device, a.quick, a.repeats, a.json) == ("cuda", True, 7, "r.json"), a
    for bad in (["--device", "gpu"], ["--repeats", "0"], ["--repeats", "x"], ["--json"]):
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                parse_args(bad)
        except SystemExit as e:
            assert e.code == 2, (bad, e.code)
        else:
            raise AssertionError(f"{bad} was accepted")

    assert len(GPT2) == 148, len(GPT2)
    assert sum(math.prod(s) for s in GPT2) == 124_439_808

    cases = planned("all")
    assert len(cases) == len({(c.device, c.kernel, c.layout, c.impl, c.tensors) for c in cases}), "duplicate case"
    for c in cases:
        peer_rows.bytes_per_param(c.kernel, c.layout)  # raises for a case without a byte count
    keys = {(c.device, c.kernel, c.layout, c.tensors, c.impl) for c in cases}
    for k in ANCHORS_MS:
        assert k[:5] in keys, f"anchor {k} matches no case"
    assert next(c for c in cases if c.tensors == "4096x4096").size == M16

    # 28 B / 0.25 ns = 112 GB/s (the example in fusedstep's BenchCommandTest)
    row = peer_rows.make_row(kernel="AdamW", variant="torch_fused", layout="f32", size=K64, threads=1,
                             seconds=[0.30e-9 * K64, 0.25e-9 * K64, 0.20e-9 * K64], device="cpu", impl="fused",
                             tensors="1x64K", device_name="test", torch_version="0")
    assert list(row)[:7] == ["kernel", "variant", "layout", "size", "threads", "ns_per_param", "gbps"], list(row)
    assert row["ns_per_param"] == 0.25 and row["gbps"] == 112.0, row
    assert row["spread"] == 0.32, row  # deciles of 3 samples (inclusive): 0.21 and 0.29 around 0.25
    gpu = peer_rows.make_row(kernel="normal_", variant="torch_op", layout="f32", size=M64, threads=None,
                             seconds=[0.165e-3], device="cuda", impl="op", tensors="1x64M", device_name="test",
                             torch_version="0")
    assert gpu["ns_per_param"] == 0.002459 and gpu["spread"] == 0.0, gpu  # 4 significant digits
    for bad in ({"seconds": []}, {"size": 0}, {"layout": "f16"}):
        kw = dict(kernel="AdamW", variant="v", layout="f32", size=1, threads=1, seconds=[1.0], device="cpu",
                  impl="fused", tensors="t", device_name="d", torch_version="0")
        kw.update(bad)
        try:
            peer_rows.make_row(**kw)
        except ValueError:
            pass
        else:
            raise AssertionError(f"make_row accepted {bad}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rows.json")
        peer_rows.write_json(path, [row, gpu])
        with open(path, encoding="utf-8") as f:
            back = json.load(f)
    assert back == [row, gpu], back
    text = peer_rows.table([row, gpu])
    assert text.splitlines()[0].startswith("device") and len(text.splitlines()) == 3, text
    # a GpuBench row of a case that was refused carries null numbers: the table shows "-"
    refused = dict(gpu, ms=None, ns_per_param=None, gbps=None, spread=None)
    assert peer_rows.table([refused]).splitlines()[1].split()[-5:] == ["-"] * 5, peer_rows.table([refused])
    assert peer_rows.size_label(M64) == "64M" and peer_rows.size_label(124_439_808) == "124.4M"
    dry_run_every_case()
    print(f"self-check passed: {len(cases)} cases, {len(ANCHORS_MS)} anchors; {GPT2_NOTE}")
    return 0


class _DryRun(Run):
    """Run with its timers replaced: each step is called twice and 'takes' 1 ms."""

    def time_cpu(self, step, repeats, min_sample_s):
        step(), step()
        return [1e-3] * repeats

    def time_cuda(self, step, repeats, warmup):
        return self.time_cpu(step, repeats, 0)


def dry_run_every_case():
    """Builds and steps every case against a stand-in torch (a MagicMock) and writes the JSON:
    catches mistakes in this file's own code paths, says nothing about PyTorch's behaviour."""
    import json
    from unittest import mock

    fake = mock.MagicMock(name="torch")
    fake.__version__ = "fake"
    fake.get_num_threads.return_value = 1
    fake.cuda.get_device_name.return_value = "fake GPU"
    fake.version.cuda = "fake"
    with tempfile.TemporaryDirectory() as d:
        args = parse_args(["--repeats", "3", "--json", os.path.join(d, "rows.json")])
        run = _DryRun(fake, args)
        with contextlib.redirect_stdout(io.StringIO()):
            run.cpu()
            run.cuda()
        assert not run.failures, run.failures
        with open(args.json, encoding="utf-8") as f:
            rows = json.load(f)
    assert len(rows) == len(cpu_cases()) * len(thread_counts()) + len(cuda_cases()), len(rows)
    assert {r["threads"] for r in rows if r["device"] == "cpu"} == set(thread_counts())
    adamw_cpu = next(r for r in rows if r["kernel"] == "AdamW" and r["tensors"] == "1x16M" and r["threads"] == 1)
    assert adamw_cpu["anchor_ms"] == 19.5 and adamw_cpu["gbps"] == significant_gbps(28, M16, 1e-3), adamw_cpu
    assert fake.optim.AdamW.call_args_list[0].kwargs == {"amsgrad": False, "fused": True}


def significant_gbps(bytes_per_param, size, seconds):
    return peer_rows.significant(bytes_per_param * size / (seconds * 1e9))


if __name__ == "__main__":
    sys.exit(main())
