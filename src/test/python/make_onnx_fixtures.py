#!/usr/bin/env python3
"""ONNX fixtures, exported by PyTorch (torch.onnx.export, opset 17, dynamic height and width) from upstream networks:

- RRDBNet (ESRGAN) from xinntao/ESRGAN's RRDBNet_arch.py at revision d274b11, 8 features, 1 block, 4 growth
  channels, x4;
- SPAN from chaiNNer-org/spandrel's span.py at revision b0c3eb2, 8 features, x2. Its re-parameterisation reads
  the branch weights through .data, which tracing records as constants: the exported graph holds each Conv3XC's
  fused 3x3 (eval_conv) only. Interpolating such a file mixes fused convolutions, a different network from
  upstream's interpolation of the branch tensors (whose fused result is a product of mixed tensors). So the SPAN
  pair gets two references: the ONNX interpolation's (upstream's SPAN with its eval_conv set to the mix of the two
  fused convolutions and update_params switched off, "_mixfused") and upstream's state-dict interpolation ("_mix"),
  to measure how far apart the two are;
- two tiny conv nets that differ in one node (LeakyReLU vs ReLU), for the "graphs differ" refusal.

For each of RRDBNet and SPAN: a random model (a) and a fine-tuned copy (b: a plus 5% of each tensor's standard
deviation as noise), both exported, their PyTorch outputs on the astronaut test crop (float32 LE, CHW), and the output
of the PyTorch model whose state dict is the interpolation of the two (RRDBNet at alpha 0.3, SPAN at alpha 0.4).

    /usr/bin/python3 src/test/python/make_onnx_fixtures.py /path/to/ESRGAN/.git /path/to/spandrel/.git
"""
import importlib
import io
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from fixture_common import OUT, astronaut_crop, run

ESRGAN_REV = "d274b11"
SPANDREL_REV = "b0c3eb2"


def show(git_dir, rev, path):
    return subprocess.run(["git", "--git-dir", git_dir, "show", rev + ":" + path], check=True,
                          capture_output=True).stdout


def write(name, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(os.path.join(OUT, name))


def export(net, name):
    # no constant folding: SPAN's re-parameterisation then stays in the graph, computed from the trained branch
    # tensors (which are what interpolation mixes upstream); folded, the file would hold fused convolutions, whose
    # interpolation is a different network
    f = io.BytesIO()
    torch.onnx.export(net, torch.zeros(1, 3, 16, 16), f, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}},
                      opset_version=17, do_constant_folding=False)
    with open(os.path.join(OUT, name), "wb") as out:
        out.write(f.getvalue())


def jitter(state):
    return {k: v + 0.05 * float(v.std()) * torch.randn_like(v) if v.is_floating_point() and v.numel() > 1
            else v.clone() for k, v in state.items()}


def lerp(a, b, alpha):
    return {k: (1 - alpha) * v + alpha * b[k] if v.is_floating_point() else v for k, v in a.items()}


def pair(make, name, crop, alpha, fused=None):
    a = make().eval()
    b = make().eval()
    b.load_state_dict(jitter(a.state_dict()))
    mix = make().eval()
    mix.load_state_dict(lerp(a.state_dict(), b.state_dict(), alpha))
    write(name + "_a_astronaut.f32", run(a, crop))  # SPAN: running it also sets eval_conv to the fused conv
    write(name + "_b_astronaut.f32", run(b, crop))
    write(name + "_mix%s_astronaut.f32" % alpha, run(mix, crop))
    if fused is not None:
        mixf = make().eval()
        mixf.load_state_dict(lerp(a.state_dict(), b.state_dict(), alpha))
        for m in mixf.modules():
            if isinstance(m, fused):
                m.update_params = lambda: None  # keep the mixed eval_conv as loaded
        write(name + "_mixfused%s_astronaut.f32" % alpha, run(mixf, crop))
    export(a, name + "_a.onnx")
    export(b, name + "_b.onnx")


def main():
    torch.manual_seed(20261206)
    crop = astronaut_crop()
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "RRDBNet_arch.py"), "wb") as f:
            f.write(show(sys.argv[1], ESRGAN_REV, "RRDBNet_arch.py"))
        pkg = os.path.join(tmp, "spandrel")
        for p in ("util/__init__.py", "architectures/SPAN/__arch/span.py"):
            os.makedirs(os.path.dirname(os.path.join(pkg, p)), exist_ok=True)
            with open(os.path.join(pkg, p), "wb") as f:
                f.write(show(sys.argv[2], SPANDREL_REV, "libs/spandrel/spandrel/" + p))
        for d, _, names in os.walk(pkg):
            if "__init__.py" not in names:
                open(os.path.join(d, "__init__.py"), "w").close()
        sys.path.insert(0, tmp)
        rrdb = importlib.import_module("RRDBNet_arch")
        span = importlib.import_module("spandrel.architectures.SPAN.__arch.span")

        pair(lambda: rrdb.RRDBNet(3, 3, 8, 1, gc=4), "onnx_rrdb_x4", crop[:10, :12], 0.3)
        pair(lambda: span.SPAN(num_in_ch=3, num_out_ch=3, feature_channels=8, upscale=2), "onnx_span_x2", crop, 0.4,
             fused=span.Conv3XC)

        for act, name in ((torch.nn.LeakyReLU(0.2), "onnx_tiny_lrelu.onnx"), (torch.nn.ReLU(), "onnx_tiny_relu.onnx")):
            torch.manual_seed(1)
            export(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), act,
                                       torch.nn.Conv2d(4, 3, 3, padding=1)).eval(), name)


if __name__ == "__main__":
    main()
