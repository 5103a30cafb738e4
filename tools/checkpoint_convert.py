#!/usr/bin/env python3
"""Move optimizer state between PyTorch and fusedstep checkpoints.

    checkpoint_convert.py to-torch   IN.safetensors OUT.pt [--master-out MASTERS.pt] [--keep-param-names]
    checkpoint_convert.py from-torch IN.pt OUT.safetensors --optimizer AdamW [--master-params MASTERS.pt]
    checkpoint_convert.py selftest

A fusedstep checkpoint is a safetensors file laid out like PyTorch's optimizer state_dict:

  tensors   state.<i>.<name>       every state buffer under PyTorch's name (exp_avg, exp_avg_sq,
                                   momentum_buffer, sum, square_avg, acc_delta, exp_inf, ...),
                                   in its storage dtype (F32, BF16, F16)
            state.<i>.step         F64 scalar (PyTorch: float32 scalar tensor; SGD has none)
            state.<i>.mu_product   F32 scalar, NAdam only
            state.<i>.master_param F32 copy of a half-precision parameter (Precision.masterWeights());
                                   PyTorch's optimizer has no such state: --master-out / --master-params
  metadata  format        "fusedstep-checkpoint/1"
            optimizer     JSON list, the torch.optim class of each group
            param_groups  JSON list, PyTorch's param_groups (hyperparameters, "params" as indices,
                          "param_names")
            precision     JSON list, fusedstep's storage per group (absent in files written here)
            scheduler, scaler   optional JSON (not converted by this script)
            checksum      "crc32c:<8 hex>" (fusedstep) or "crc32:<8 hex>" (this script): a CRC of the
                          whole file with these 8 digits read as '0'

to-torch writes {'state': {i: {...}}, 'param_groups': [...]} for torch.optim.<Class>.load_state_dict;
parameters that never stepped get no state (as in PyTorch). from-torch needs the class name, which
PyTorch's state_dict does not record. The model's parameters are not part of either file.

Needs torch (and nothing else; the crc32c or google-crc32c package makes reading fusedstep-written
files fast, without it a pure-Python CRC32C is used). Written without a PyTorch at hand: `selftest`
checks the round trip on a machine that has one.
"""

import argparse
import json
import mmap
import os
import struct
import sys
import tempfile
import zlib

FORMAT = "fusedstep-checkpoint/1"
PLACEHOLDER_DIGITS = "00000000"
# Keys of a torch param_group that choose PyTorch's implementation, not the math.
IMPLEMENTATION_KEYS = ("foreach", "fused", "capturable", "differentiable")
CLASSES = ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adadelta")


def _torch():
    import torch  # imported late so that --help works without it
    return torch


def _dtypes():
    torch = _torch()
    return {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


# ----------------------------------------------------------------------------- checksums

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


class _Crc32cPure:
    """CRC32C (Castagnoli), reflected, as java.util.zip.CRC32C: slow, for when no package is installed."""
    _table = None

    def __init__(self):
        if _Crc32cPure._table is None:
            _Crc32cPure._table = _crc32c_table()
        self.crc = 0xFFFFFFFF

    def update(self, data):
        t, c = self._table, self.crc
        for b in bytes(data):
            c = t[(c ^ b) & 0xFF] ^ (c >> 8)
        self.crc = c

    def value(self):
        return self.crc ^ 0xFFFFFFFF


class _Crc:
    def __init__(self, algorithm):
        self.algorithm = algorithm
        if algorithm == "crc32":
            self.crc = 0
            self._update = lambda d: setattr(self, "crc", zlib.crc32(d, self.crc))
            self._value = lambda: self.crc & 0xFFFFFFFF
        elif algorithm == "crc32c":
            try:
                import google_crc32c
                self.crc = 0
                self._update = lambda d: setattr(self, "crc", google_crc32c.extend(self.crc, bytes(d)))
                self._value = lambda: self.crc
            except ImportError:
                try:
                    import crc32c
                    self.crc = 0
                    self._update = lambda d: setattr(self, "crc", crc32c.crc32c(d, self.crc))
                    self._value = lambda: self.crc
                except ImportError:
                    print("note: no crc32c package; checking the CRC32C in pure Python (slow)", file=sys.stderr)
                    pure = _Crc32cPure()
                    self._update = pure.update
                    self._value = pure.value
        else:
            raise ValueError(f"checksum algorithm {algorithm!r}: expected crc32c or crc32")

    def update(self, data):
        self._update(data)

    def hex(self):
        return f"{self._value():08x}"


def _digits_at(header: bytes, stored: str) -> int:
    """Where the 8 hex digits of `stored` start in the header; it must occur exactly once, quoted."""
    quoted = ('"' + stored + '"').encode("ascii")
    first = header.find(quoted)
    if first < 0 or header.find(quoted, first + 1) >= 0:
        raise ValueError(f"checksum {stored!r} does not occur exactly once, verbatim, in the header")
    return first + len(quoted) - 1 - 8


# ----------------------------------------------------------------------------- reading

def read_checkpoint(path, verify=True):
    """(metadata dict of str, dict name -> torch tensor on the CPU), the checksum verified first."""
    torch = _torch()
    dtypes = _dtypes()
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if len(data) < 8:
            raise ValueError(f"{path}: {len(data)} bytes, expected at least 8")
        (n,) = struct.unpack("<Q", data[:8])
        if n > len(data) - 8:
            raise ValueError(f"{path}: header length {n} exceeds the file")
        header_bytes = bytearray(data[:8 + n])
        header = json.loads(header_bytes[8:].decode("utf-8"))
        meta = header.pop("__metadata__", {})
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path}: format is {meta.get('format')!r}, expected {FORMAT!r}")
        if verify:
            stored = meta.get("checksum", "")
            algorithm, _, digits = stored.partition(":")
            at = _digits_at(bytes(header_bytes), stored)
            header_bytes[at:at + 8] = PLACEHOLDER_DIGITS.encode("ascii")
            crc = _Crc(algorithm)
            crc.update(bytes(header_bytes))
            view = memoryview(data)
            for start in range(8 + n, len(data), 1 << 24):
                crc.update(view[start:min(start + (1 << 24), len(data))])
            view.release()
            if crc.hex() != digits:
                raise ValueError(f"{path}: checksum mismatch: the file states {stored}, its bytes give "
                                 f"{algorithm}:{crc.hex()}")
        tensors = {}
        base = 8 + n
        for name, info in header.items():
            begin, end = info["data_offsets"]
            dtype = dtypes[info["dtype"]]
            if end > begin:
                t = torch.frombuffer(bytearray(data[base + begin:base + end]), dtype=dtype)
            else:
                t = torch.empty(0, dtype=dtype)
            tensors[name] = t.reshape(info["shape"])
    return meta, tensors


# ----------------------------------------------------------------------------- writing

def _dtype_name(t):
    torch = _torch()
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64"}
    if t.dtype not in names:
        raise ValueError(f"tensor dtype {t.dtype}: expected float32, float16, bfloat16 or float64")
    return names[t.dtype]


def _raw(t):
    """The tensor's bytes, little-endian, contiguous (one tensor at a time: never the whole state)."""
    torch = _torch()
    t = t.detach().to("cpu").contiguous().reshape(-1)
    if t.numel() == 0:
        return b""
    return t.view(torch.uint8).numpy().tobytes()


def write_checkpoint(path, tensors, metadata):
    """Writes [(name, tensor)] and metadata atomically: temp file, fsync, rename, fsync the folder."""
    meta = {"format": FORMAT}
    meta.update(metadata)
    meta["checksum"] = "crc32:" + PLACEHOLDER_DIGITS
    header = {"__metadata__": meta}
    offset = 0
    for name, t in tensors:
        size = t.numel() * t.element_size()
        header[name] = {"dtype": _dtype_name(t), "shape": list(t.shape), "data_offsets": [offset, offset + size]}
        offset += size
    js = json.dumps(header, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")
    js += b" " * (-len(js) % 8)
    head = struct.pack("<Q", len(js)) + js
    at = _digits_at(head, meta["checksum"])
    crc = _Crc("crc32")
    crc.update(head)
    folder = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            for _, t in tensors:
                b = _raw(t)
                crc.update(b)
                f.write(b)
            f.seek(at)
            f.write(crc.hex().encode("ascii"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    try:
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass  # a folder that cannot be opened (Windows): the rename is still atomic


# ----------------------------------------------------------------------------- conversions

def _plain(v):
    """A param_group value as JSON: tuples as lists, scalar tensors as numbers."""
    torch = _torch()
    if isinstance(v, torch.Tensor):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def to_torch(src, dst, master_out=None, keep_names=False):
    torch = _torch()
    meta, tensors = read_checkpoint(src)
    classes = json.loads(meta["optimizer"])
    groups = json.loads(meta["param_groups"])
    if len(set(classes)) != 1:
        raise ValueError(f"{src}: groups use {classes}; a torch optimizer has one class")
    cls = classes[0]
    # PyTorch's load_state_dict takes the saved groups as they are: start from the class's own
    # defaults so that implementation flags (foreach, fused, ...) are there for step().
    defaults = dict(getattr(torch.optim, cls)([torch.zeros(1, requires_grad=True)]).defaults)
    param_groups = []
    for g in groups:
        pg = dict(defaults)
        pg.update(g)
        if not keep_names:
            pg.pop("param_names", None)  # only PyTorch >= 2.6 optimizers built from named parameters know them
        if "betas" in pg:
            pg["betas"] = tuple(pg["betas"])
        param_groups.append(pg)
    state, masters = {}, {}
    for g in groups:
        for i in g["params"]:
            prefix = f"state.{i}."
            mine = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
            step = float(mine.pop("step").item())
            if "master_param" in mine:
                masters[i] = mine.pop("master_param")
            # PyTorch creates state at the first step (Adagrad at construction).
            if step == 0 and cls != "Adagrad":
                continue
            s = {}
            if cls != "SGD":
                s["step"] = torch.tensor(step, dtype=torch.float32)
            s.update(mine)
            if s:
                state[i] = s
    torch.save({"state": state, "param_groups": param_groups}, dst)
    precision = json.loads(meta.get("precision", "[]"))
    if any(p.get("stochastic_rounding") for p in precision):
        print("note: the run rounded BF16 parameters stochastically; PyTorch will round to nearest", file=sys.stderr)
    if masters:
        if master_out:
            torch.save(masters, master_out)
        else:
            print(f"note: {len(masters)} float32 master weights dropped (PyTorch's optimizer keeps none); "
                  "--master-out FILE saves them as {index: tensor} for float32 model parameters", file=sys.stderr)


def from_torch(src, dst, cls, master_params=None):
    torch = _torch()
    if cls not in CLASSES:
        raise ValueError(f"--optimizer {cls!r}: expected one of {', '.join(CLASSES)}")
    sd = torch.load(src, map_location="cpu", weights_only=True)
    masters = torch.load(master_params, map_location="cpu", weights_only=True) if master_params else None
    if isinstance(masters, (list, tuple)):
        masters = dict(enumerate(masters))
    groups, tensors = [], []
    for g in sd["param_groups"]:
        pg = {}
        for k, v in g.items():
            if k in IMPLEMENTATION_KEYS or k in ("params", "initial_lr"):
                continue
            if k == "decoupled_weight_decay" and cls == "AdamW":
                continue  # PyTorch >= 2.6 records it; it is what AdamW means
            pg[k] = _plain(v)
        pg["params"] = [int(i) for i in g["params"]]
        groups.append(pg)
        for i in pg["params"]:
            s = sd["state"].get(i)
            if not s:
                raise ValueError(f"{src}: parameter {i} has no state (PyTorch creates it at the first step); "
                                 "take a step before converting")
            step = s.get("step")
            # SGD keeps no step; any count >= 1 resumes its momentum the same way.
            step = float(step.item() if isinstance(step, torch.Tensor) else step) if step is not None else 1.0
            for k, v in s.items():
                if k == "step" or v is None:
                    continue
                if k == "mu_product":
                    v = torch.as_tensor(float(v), dtype=torch.float32)
                tensors.append((f"state.{i}.{k}", v))
            tensors.append((f"state.{i}.step", torch.tensor(step, dtype=torch.float64)))
            if masters is not None:
                tensors.append((f"state.{i}.master_param", masters[i].detach().to(torch.float32)))
    meta = {"optimizer": json.dumps([cls] * len(groups), separators=(",", ":")),
            "param_groups": json.dumps(groups, separators=(",", ":"), allow_nan=False)}
    write_checkpoint(dst, tensors, meta)


# ----------------------------------------------------------------------------- self-test

def selftest():
    """For each class: train a torch optimizer, convert its state to a fusedstep file and back, load
    it into a fresh optimizer and check that further steps match an uninterrupted run bit for bit."""
    torch = _torch()
    configs = {
        "SGD": dict(lr=0.05, momentum=0.9, nesterov=True), "Adagrad": dict(lr=0.1), "RMSprop": dict(lr=0.01, momentum=0.9, centered=True),
        "Adam": dict(lr=1e-3, amsgrad=True), "AdamW": dict(lr=1e-3), "Adamax": dict(lr=1e-3), "NAdam": dict(lr=1e-3),
        "RAdam": dict(lr=1e-3), "Adadelta": dict(lr=1.0),
    }
    with tempfile.TemporaryDirectory() as d:
        for cls, kw in configs.items():
            def run(steps, start=None):
                torch.manual_seed(0)
                ps = [torch.randn(5, 3, requires_grad=True), torch.randn(4, requires_grad=True)]
                opt = getattr(torch.optim, cls)([{"params": ps[:1]}, {"params": ps[1:], "lr": kw["lr"] / 2}], **kw)
                if start is not None:
                    with torch.no_grad():
                        for p, q in zip(ps, start[0]):
                            p.copy_(q)
                    opt.load_state_dict(start[1])
                for k in steps:
                    g = torch.Generator().manual_seed(100 + k)
                    for p in ps:
                        p.grad = torch.randn(p.shape, generator=g)
                    opt.step()
                return ps, opt
            ref, _ = run(range(6))
            ps, opt = run(range(3))
            a, b, c = (os.path.join(d, f"{cls}.{x}") for x in ("pt", "safetensors", "back.pt"))
            torch.save(opt.state_dict(), a)
            from_torch(a, b, cls)
            to_torch(b, c)
            back = torch.load(c, weights_only=False)
            resumed, _ = run(range(3, 6), ([p.detach().clone() for p in ps], back))
            same = all(torch.equal(x, y) for x, y in zip(ref, resumed))
            print(f"{cls:9s} {'ok' if same else 'MISMATCH'}")
            if not same:
                return 1
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("to-torch", help="fusedstep checkpoint -> torch optimizer state_dict (.pt)")
    t.add_argument("src")
    t.add_argument("dst")
    t.add_argument("--master-out", help="also save float32 master weights as {index: tensor}")
    t.add_argument("--keep-param-names", action="store_true",
                   help="keep param_names in param_groups (PyTorch >= 2.6, optimizers built from named_parameters())")
    f = sub.add_parser("from-torch", help="torch optimizer state_dict (.pt) -> fusedstep checkpoint")
    f.add_argument("src")
    f.add_argument("dst")
    f.add_argument("--optimizer", required=True, help="the torch.optim class: " + ", ".join(CLASSES))
    f.add_argument("--master-params", help="float32 master weights ({index: tensor} or a list), for Precision.masterWeights()")
    sub.add_parser("selftest", help="round-trip every optimizer through both conversions (needs torch)")
    args = ap.parse_args(argv)
    if args.command == "to-torch":
        to_torch(args.src, args.dst, args.master_out, args.keep_param_names)
    elif args.command == "from-torch":
        from_torch(args.src, args.dst, args.optimizer, args.master_params)
    else:
        return selftest()
    return 0


if __name__ == "__main__":
    sys.exit(main())
