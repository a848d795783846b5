#!/usr/bin/env python3
"""Where a forward pass spends its time (issue 29), dni-spark's libtorch beside PyTorch's own eager loop.

    profile_summary.py pytorch RRDB_PTH SIZE N TRACE   # profile bench_rrdb.py's RRDBNet (1 thread) into a Chrome trace
    profile_summary.py summary JAVA_TRACE JAVA_MS PYTORCH_TRACE PYTORCH_MS N
    profile_summary.py operators TRACE N [TOP]    # one trace's self time per pass by operator name (default top 12)

The summary reads both Chrome traces (dni-spark's from org.dnispark.bench.ForwardProfile, written by libtorch's
profiler through DJL; PyTorch's from torch.profiler) and prints, per forward pass: the wall time, the time inside
libtorch operators by kind (each operator's self time, its children's excluded), and the rest, which is time spent
between operators (the calling language, the JNI or Python dispatch, allocation outside operators).
"""
import json
import os
import sys
import time

KINDS = (
    ("convolution", ("conv", "mkldnn_convolution", "_convolution", "thnn_conv", "_slow_conv")),
    ("concatenation", ("aten::cat", "aten::_cat")),
    ("element-wise and activations", ("aten::add", "aten::mul", "aten::leaky_relu", "aten::relu", "aten::sub",
                                      "aten::div", "aten::sigmoid", "aten::clamp", "aten::maximum", "aten::minimum",
                                      "aten::where", "aten::gelu", "aten::silu", "aten::tanh", "aten::exp")),
    ("copies, views and allocation", ("aten::copy_", "aten::clone", "aten::contiguous", "aten::empty", "aten::to",
                                      "aten::_to_copy", "aten::reshape", "aten::view", "aten::as_strided",
                                      "aten::resize_", "aten::zeros", "aten::full", "aten::detach", "aten::fill_",
                                      "aten::transpose", "aten::permute", "aten::expand", "aten::slice",
                                      "aten::select", "aten::unsqueeze", "aten::squeeze", "aten::alias",
                                      "aten::empty_strided", "aten::_reshape_alias", "aten::t", "aten::result_type",
                                      "aten::lift")),
    ("up-sampling", ("upsample", "aten::repeat", "interpolate", "pixel_shuffle")),
)


def kind(name):
    for k, keys in KINDS:
        if any(name.startswith(key) or key in name for key in keys):
            return k
    return "other operators"


def events(path):
    with open(path) as f:
        data = json.load(f)
    evs = data["traceEvents"] if isinstance(data, dict) else data
    return [e for e in evs if e.get("ph") == "X" and str(e.get("name", "")).startswith("aten::")]


def self_times(evs, key=kind):
    """Self time (microseconds) by key (an operator's kind, by default), and the total of top-level operators, from
    nested intervals per thread."""
    by_tid = {}
    for e in evs:
        by_tid.setdefault(e.get("tid"), []).append(e)
    kinds = {}
    top_total = 0.0
    for tid, es in by_tid.items():
        es.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        stack = []  # (end, event, child time)
        for e in es:
            ts, dur = float(e["ts"]), float(e["dur"])
            while stack and ts >= stack[-1][0] - 1e-6:
                end, ev, child = stack.pop()
                kinds[key(ev["name"])] = kinds.get(key(ev["name"]), 0.0) + float(ev["dur"]) - child
            if stack:
                stack[-1][2] += dur
            else:
                top_total += dur
            stack.append([ts + dur, e, 0.0])
        while stack:
            end, ev, child = stack.pop()
            kinds[key(ev["name"])] = kinds.get(key(ev["name"]), 0.0) + float(ev["dur"]) - child
    return kinds, top_total


def pytorch(model, size, n, trace):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import torch
    from make_rrdb_fixtures import RRDBNet
    torch.set_num_threads(1)
    net = RRDBNet(4, 64, 6, 32).eval()
    net.load_state_dict(torch.load(model))
    g = torch.Generator().manual_seed(29)
    x = torch.rand(1, 3, size, size, generator=g)
    with torch.no_grad():
        for i in range(3):
            t = time.perf_counter()
            net(x)
            print("warm-up pass %d: %.1f ms" % (i + 1, (time.perf_counter() - t) * 1000))
        t = time.perf_counter()
        for _ in range(n):
            net(x)
        plain = (time.perf_counter() - t) * 1000 / n
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for _ in range(n):
                net(x)
        prof.export_chrome_trace(trace)
    print("pytorch %s: %.1f ms per forward, %d passes of %dx%d, 1 thread" % (torch.__version__, plain, n, size, size))


def summary(java_trace, java_ms, py_trace, py_ms, n):
    rows = []
    for label, trace, ms in (("dni-spark (libtorch 2.7.1 via DJL)", java_trace, java_ms),
                             ("PyTorch 1.13 eager", py_trace, py_ms)):
        kinds, top = self_times(events(trace))
        rows.append((label, float(ms), {k: v / 1000 / n for k, v in kinds.items()}, top / 1000 / n))
    names = [k for k, _ in KINDS] + ["other operators"]
    print("%-34s %12s %12s" % ("ms per forward pass", rows[0][0].split(" (")[0], rows[1][0].split(" eager")[0]))
    for k in names:
        print("%-34s %12.1f %12.1f" % (k, rows[0][2].get(k, 0.0), rows[1][2].get(k, 0.0)))
    for label, ms, kinds, top in rows:
        pass
    print("%-34s %12.1f %12.1f" % ("inside operators (sum)", rows[0][3], rows[1][3]))
    print("%-34s %12.1f %12.1f" % ("between operators", rows[0][1] - rows[0][3], rows[1][1] - rows[1][3]))
    print("%-34s %12.1f %12.1f" % ("wall (unprofiled)", rows[0][1], rows[1][1]))


def operators(trace, n, top):
    evs = events(trace)
    times, _ = self_times(evs, key=lambda name: name)
    calls = {}
    for e in evs:
        calls[e["name"]] = calls.get(e["name"], 0) + 1
    print("%-34s %12s %8s" % ("ms per forward pass (self)", "ms", "calls"))
    for name, us in sorted(times.items(), key=lambda kv: -kv[1])[:top]:
        print("%-34s %12.1f %8d" % (name, us / 1000 / n, calls[name] // n))


if __name__ == "__main__":
    if sys.argv[1] == "operators":
        operators(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 12)
    elif sys.argv[1] == "pytorch":
        pytorch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        summary(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
