#!/usr/bin/env python3
"""Joins fusedstep's JMH results, its GPU rows and the PyTorch peer rows into one list of rows.

    python3 bench/peers/jmh_rows.py --jmh jmh.json --gpu gpu_bench.json --peers torch_optim.json --json rows.json

Run on the machine that ran JMH (scripts/gpu-bench run does): `vectorAll` rows get that
machine's core count as threads, as fusedstep's BenchRows gives them. The optimizer rows of the
JMH file (AdamWBench, SgdMomentumBench) become rows with fusedstep's fields, device "cpu" and
impl "fusedstep"; the score is JMH's mean ns/op, as in `./fusedstep bench --json`. The GPU rows
(dev.fusedstep.bench.gpu.GpuBench --json) already have the row fields and are taken as they are.
Any input may be missing (its side is then left out). Torch-free.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_rows  # noqa: E402

KERNELS = {"AdamWBench": "AdamW", "SgdMomentumBench": "SGD momentum"}


def fusedstep_rows(jmh, threads_all, device_name):
    rows = []
    for r in jmh:
        cls, method = r["benchmark"].split(".")[-2:]
        kernel = KERNELS.get(cls)
        if kernel is None:
            continue
        unit = r["primaryMetric"]["scoreUnit"]
        if unit != "ns/op":
            raise ValueError(f"scoreUnit of {r['benchmark']}: got {unit}, expected ns/op (AverageTime)")
        params = r.get("params", {})
        size = int(params["size"])
        iterations = [float(x) for fork in r["primaryMetric"].get("rawData", []) for x in fork]
        row = peer_rows.make_row(
            kernel=kernel, variant=method, layout=params.get("layout", "f32"), size=size,
            threads=threads_all if method == "vectorAll" else 1,
            seconds=[float(r["primaryMetric"]["score"]) / 1e9], device="cpu", impl="fusedstep",
            tensors=f"1x{peer_rows.size_label(size)}", device_name=device_name, torch_version=None,
            note="JMH mean of %d iterations" % len(iterations))
        row["spread"] = peer_rows.significant(peer_rows.spread(iterations), 3)
        row["samples"] = len(iterations)
        rows.append(row)
    return rows


def read(path):
    if path is None or not os.path.isfile(path) or os.path.getsize(path) == 0:
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main(argv=None):
    p = argparse.ArgumentParser(prog="jmh_rows.py", description=__doc__.splitlines()[0])
    p.add_argument("--jmh", metavar="FILE", help="JMH JSON result (-rf json)")
    p.add_argument("--gpu", metavar="FILE", help="rows written by GpuBench --json (fusedstep on CUDA)")
    p.add_argument("--peers", metavar="FILE", help="rows written by torch_optim.py --json")
    p.add_argument("--json", metavar="FILE", required=True, help="where to write the joined rows")
    args = p.parse_args(argv)
    jmh, gpu, peers = read(args.jmh), read(args.gpu), read(args.peers)
    if jmh is None and gpu is None and peers is None:
        print(f"jmh_rows.py: none of --jmh {args.jmh}, --gpu {args.gpu}, --peers {args.peers} holds rows",
              file=sys.stderr)
        return 1
    ours = fusedstep_rows(jmh or [], peer_rows.all_threads(), peer_rows.cpu_name()) + (gpu or [])
    rows = ours + (peers or [])
    peer_rows.write_json(args.json, rows)
    print(peer_rows.table(rows), end="")
    print(f"{len(ours)} fusedstep rows ({len(gpu or [])} of them GPU) and {len(peers or [])} peer rows"
          f" written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
