#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/: small valid and near-valid inputs.

Run from anywhere: python3 fuzz/make_corpus.py [--nabla build/nabla]. Existing seeds with the
same names are rewritten; files libFuzzer adds while running (named by their SHA-1) are left
alone. The checkpoint seeds come from a real run of fuzz/checkpoint.toml, made with the nabla
command given by --nabla (without it, the committed ones are kept).
"""
import argparse
import json
import pathlib
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# ---- safetensors ----
def safetensors(tensors, metadata=None, pad=True):
    """tensors: [(name, dtype, shape, raw bytes)] laid out in order."""
    header, blob = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + blob


for f in sorted((ROOT / "tests" / "golden" / "safetensors").glob("*.safetensors")):
    put("safetensors", f.name, f.read_bytes())
put("safetensors", "empty_header", safetensors([]))
put("safetensors", "metadata_only", safetensors([], {"format": "pt", "epoch": "3"}))
put("safetensors", "f32_2x3", safetensors([("w", "F32", [2, 3], struct.pack("<6f", 1, 2, 3, 4, 5, 6))]))
put("safetensors", "all_dtypes", safetensors([
    ("a", "I64", [2], struct.pack("<2q", -1, 7)), ("b", "F64", [1], struct.pack("<d", 2.5)),
    ("c", "F32", [], struct.pack("<f", 1.0)), ("d", "I32", [2], struct.pack("<2i", -3, 4)),
    ("e", "F16", [2], struct.pack("<2e", 1.5, -2.0)), ("f", "BF16", [1], b"\x80\x3f"),
    ("g", "I16", [1], struct.pack("<h", -5)), ("h", "U16", [1], struct.pack("<H", 65535)),
    ("i", "U32", [1], struct.pack("<I", 2**32 - 1)), ("j", "U64", [1], struct.pack("<Q", 2**40)),
    ("k", "I8", [2], b"\x80\x7f"), ("l", "U8", [2], b"\x00\xff"), ("m", "BOOL", [3], b"\x00\x01\x01"),
]))
put("safetensors", "zero_size", safetensors([("z", "F32", [0, 4], b""), ("s", "F64", [1, 1], b"\0" * 8)]))
put("safetensors", "unpadded", safetensors([("x", "F32", [1], b"\0\0\x80\x3f")], pad=False))
put("safetensors", "truncated", safetensors([("x", "F32", [4], b"\0" * 16)])[:-5])
put("safetensors", "trailing", safetensors([("x", "U8", [1], b"\x01")]) + b"\x00\x00")
put("safetensors", "bad_bool", safetensors([("x", "BOOL", [1], b"\x02")]))
put("safetensors", "u64_big", safetensors([("x", "U64", [1], struct.pack("<Q", 2**63))]))
put("safetensors", "fp8", safetensors([("x", "F8_E4M3", [1], b"\x01")]))
put("safetensors", "huge_header_len", struct.pack("<Q", 2**62) + b"{}")
put("safetensors", "short", b"\x02\x00\x00")
put("safetensors", "gap", struct.pack("<Q", 88) + b'{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},'
    b'"b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}} ' + b"\x01\x02")

# ---- CSV: the first byte selects the options (fuzz/fuzz_targets.h, run_csv) ----
put("csv", "plain", "\x00a,b,y\n1,2,3\n4,5,6\n")
put("csv", "bom_crlf", "\x00\xef\xbb\xbfa,b,y\r\n1.5,-2,0\r\n+3,4e2,1\r\n")
put("csv", "quotes", '\x00"a","b ""x""",y\n"1","2",3\n" 4 ","5\n",6\n')
put("csv", "classes_text", "\x14a,b,label\n1,2,setosa\n3,4,versicolor\n5,6,setosa\n")
put("csv", "classes_ids", "\x04a,b,y\n1,2,0\n3,4,2\n5,6,1\n")
put("csv", "semicolon_f64", "\x09a;b;y\n1;2;0\n3;4;1\n")
put("csv", "tab_features", "\x22a\tb\tc\ty\n1\t2\t9\t0\n3\t4\t9\t1\n")
put("csv", "pipe_blank_lines", "\x03a|y\n\n1|2\n  \n3|4\n\n")
put("csv", "ragged", "\x00a,b,y\n1,2\n")
put("csv", "nan", "\x00a,y\nnan,1\ninf,2\n")
put("csv", "unclosed", '\x40a,y\n"123456789,1\n')
put("csv", "lone_cr", "\x00a,y\r1,2\r3,4\r")
put("csv", "single_class", "\x04a,y\n1,0\n2,0\n")

# ---- MNIST IDX: the first byte selects the reader (0 load_idx, 1 images, 2 labels, 3 mnist) ----
def idx(type_, dims, payload):
    return bytes([0, 0, type_, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


put("idx", "labels", b"\x02" + idx(0x08, [3], b"\x07\x00\x09"))
put("idx", "images", b"\x01" + idx(0x08, [2, 2, 3], bytes(range(12))))
put("idx", "u8_any", b"\x00" + idx(0x08, [2, 2], b"\x00\x01\x80\xff"))
put("idx", "i8", b"\x00" + idx(0x09, [2], b"\x80\x7f"))
put("idx", "i16", b"\x00" + idx(0x0B, [2], struct.pack(">2h", -2, 300)))
put("idx", "i32", b"\x00" + idx(0x0C, [1, 2], struct.pack(">2i", -70000, 123456789)))
put("idx", "f32", b"\x00" + idx(0x0D, [2], struct.pack(">2f", 1.5, -0.25)))
put("idx", "f64", b"\x00" + idx(0x0E, [1], struct.pack(">d", 3.141592653589793)))
put("idx", "empty_images", b"\x01" + idx(0x08, [0, 28, 28], b""))
put("idx", "gzip", b"\x00\x1f\x8b\x08\x00")
put("idx", "truncated", b"\x00" + idx(0x08, [10], b"\x01\x02"))
put("idx", "mnist_same_file", b"\x03" + idx(0x08, [1], b"\x01"))
put("idx", "many_dims", b"\x00" + idx(0x08, [1] * 8, b"\x05"))

# ---- the training configuration: TOML, then NUL-separated --set overrides ----
put("train_config", "xor_example", (ROOT / "examples" / "xor.toml").read_bytes())
put("train_config", "minimal", '[model]\nlayers = [{ type = "linear", out = 1 }]\n')
put("train_config", "everything", """seed = 7
dtype = "float32"
[data]
name = "csv"
path = "data.csv"
label = "y"
n = 100
noise = 0.2
test_fraction = 0.25
classes = 3
standardize = true
[model]
inputs = 4
layers = [
  { type = "linear", out = 8, id = "h", init = "kaiming_uniform" },
  { type = "batchnorm", momentum = 0.2, eps = 1e-4 },
  { type = "leaky_relu", slope = 0.1 },
  { type = "dropout", p = 0.25 },
  { type = "linear", out = 8, bias = false, init = "constant", value = 0.5 },
  { type = "add", from = "h" },
  { type = "groupnorm", groups = 2 },
  { type = "layernorm" },
  { type = "gelu", approximate = "tanh" },
  { type = "elu", alpha = 0.5 },
  { type = "softplus", beta = 2, threshold = 10 },
  { type = "linear", out = 3, init = "normal", mean = 0.0, std = 0.01 },
  { type = "log_softmax" },
]
[loss]
name = "cross_entropy"
reduction = "sum"
label_smoothing = 0.1
[optim]
name = "adamw"
lr = 1e-3
beta1 = 0.8
beta2 = 0.99
eps = 1e-8
amsgrad = true
weight_decay = 0.0
l1 = 0.001
l2 = 0.002
clip_grad_norm = 1.0
[scheduler]
name = "cosine"
t_max = 10
eta_min = 0.0001
[train]
epochs = 20
batch_size = 32
shuffle = true
drop_last = true
log_every = 2
checkpoint_every = 5
gif_every = 1
""")
put("train_config", "sgd_nesterov_step", """[optim]
name = "sgd"
momentum = 0.9
nesterov = true
[scheduler]
name = "step"
step_size = 3
gamma = 0.5
[model]
inputs = 2
layers = [{ type = "linear", out = 2, weight = [[1, 2], [3, 4]], bias = [0.5, -0.5] }, { type = "tanh" }]
""")
put("train_config", "with_overrides",
    '[model]\nlayers = [{ type = "linear", out = 1 }]\n\0optim.lr=0.1\0optim.name=adam\0model.layers.0.out=3'
    '\0data.name=moons\0train.epochs=5')
put("train_config", "rmsprop_warmup", '[optim]\nname = "rmsprop"\nalpha = 0.9\ncentered = true\nmomentum = 0.1\n'
    '[scheduler]\nname = "warmup"\nwarmup_epochs = 3\nstart_factor = 0.5\n'
    '[model]\nlayers = [{ type = "linear", out = 1 }, { type = "sigmoid" }]\n[loss]\nname = "bce"\n')
put("train_config", "bad_groups", '[model]\ninputs = 6\nlayers = [{ type = "groupnorm", groups = 4 }]\n')
put("train_config", "bad_syntax", '[model\nlayers = [')

# ---- expressions: FORMULA or FORMULA\\nBINDINGS ----
formulas = [
    "x3*tanh(w4*sigmoid(w3*x1))\nx3=1,w4=2,w3=-1,x1=0.5",
    "x*tanh(w*x)\nx=0.5,w=-2",
    "1 + 2*3", "a*b/c*d", "2^3^2", "x**2", "max(x, y*2) + min(1, x)", "  sigmoid ( w * x ) ",
    "-x^2", "(-x)^2", "2^-x^2", "x - -y", "--x", "+x", "-2",
    "1e-3 + 2.5E+2 + .5 + 5. + 12", "leaky_relu(x, 0.2) + elu(y, 0.5)",
    "gelu(x) + silu(x) + softplus(x) + step(x) + relu(x)", "exp(log(sqrt(abs(x)))) + sin(x)*cos(x)",
    "x/y - y/x\nx=0,y=1", "2*3", "x^y\nx=-1, y=0.5", "((((((x))))))", "max(x)", "x +", "1e", "x\n y = .5 ,x=1e308",
]
for i, f in enumerate(formulas):
    put("expr", f"seed_{i:02d}", f)

# ---- nabla train --set: the first byte picks examples/ (kSetBases), then NUL-separated KEY=VALUE ----
sets = {
    "lr": (0, ["optim.lr=0.1"]),
    "layer_out": (1, ["model.layers.0.out=4", "train.epochs=3"]),
    "huge_out": (1, ["model.layers.0.out=4611686018427387904"]),
    "strings": (0, ["optim.name=adam", "data.name=moons", "loss.name=bce", "scheduler.name=cosine"]),
    "quoted": (2, ['data.name="circles"', "train.shuffle=true", "train.batch_size=8"]),
    "arrays": (0, ["model.layers.0.weight=[[1, 2], [3, 4]]", "model.layers.0.bias=[0.5, -0.5]"]),
    "inline_table": (3, ['model.layers.1={ type = "relu" }']),
    "floats": (0, ["optim.lr=1e309", "optim.momentum=-0.0", "data.noise=inf", "optim.eps=nan"]),
    "bounds": (1, ["data.n=100000000", "data.classes=65536", "model.inputs=1048576"]),
    "no_equals": (0, ["optim.lr"]),
    "bad_key": (0, ["nosuch.key=1", "model.layers.99.out=2"]),
    "params": (2, ["model.layers.1.slope=0.2", "train.checkpoint_every=2", "seed=18446744073709551615"]),
}
for name, (base, items) in sets.items():
    put("train_set", name, bytes([base]) + "\0".join(items).encode())

# ---- what --resume reads: 0x00 + checkpoint.safetensors, 0x01 + run.json ----
run_json = {"format": "nabla-run-1", "checkpoint_every": 2, "plots": False, "finished": False,
            "detect_anomaly": False, "init": "", "set": ["optim.lr=0.1"]}
put("checkpoint", "run_json", b"\x01" + json.dumps(run_json, indent=2).encode())
put("checkpoint", "run_json_minimal", b"\x01" + b'{"format":"nabla-run-1","checkpoint_every":-1,"plots":true,"finished":true}')
put("checkpoint", "run_json_bad_type", b"\x01" + b'{"format":"nabla-run-1","checkpoint_every":"2","plots":1,"finished":0}')
put("checkpoint", "run_json_huge", b"\x01" + b'{"format":"nabla-run-1","checkpoint_every":1e400,"plots":false,"finished":false}')
put("checkpoint", "not_safetensors", b"\x00" + b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ")
parser = argparse.ArgumentParser()
parser.add_argument("--nabla", help="the nabla command, to make the checkpoint seeds")
args = parser.parse_args()
if args.nabla:
    with tempfile.TemporaryDirectory() as tmp:
        for every in (1, 2):
            out = pathlib.Path(tmp) / f"run{every}"
            # An interrupted run's checkpoint: kill -9 after epoch 3 (the test hook of cmd_train).
            subprocess.run([args.nabla, "train", str(ROOT / "fuzz" / "checkpoint.toml"), "--out", str(out),
                            "--checkpoint-every", str(every), "--no-plots", "--quiet"],
                           env={"NABLA_TEST_KILL_AT_EPOCH": "3", "PATH": "/usr/bin:/bin"}, check=False)
            ckpt = (out / "checkpoint.safetensors").read_bytes()
            put("checkpoint", f"epoch_{3 - 3 % every}", b"\x00" + ckpt)
            put("checkpoint", f"run_json_run{every}", b"\x01" + (out / "run.json").read_bytes())
        # The same checkpoint with a bad epoch, as the example.
        hlen = struct.unpack("<Q", ckpt[:8])[0]
        header = json.loads(ckpt[8:8 + hlen])
        for name, epoch in (("epoch_negative", "-5"), ("epoch_huge", "99999999999999999999999")):
            header["__metadata__"]["epoch"] = epoch
            h = json.dumps(header, separators=(",", ":")).encode()
            h += b" " * (-len(h) % 8)
            put("checkpoint", name, b"\x00" + struct.pack("<Q", len(h)) + h + ckpt[8 + hlen:])

# ---- the server's API: NUL-separated requests "METHOD TARGET\nHeaders\n\nBODY"; {sid} the session ----
def req(method, target, body="", headers=()):
    return f"{method} {target}\n" + "".join(f"{h}\n" for h in headers) + "\n" + body


create = req("POST", "/api/sessions", json.dumps({"points": 20, "hidden": [3], "dataset": "xor"}))
serve = {
    "create_state": [create, req("GET", "/api/sessions/{sid}/state?grid=4&neurons=2&points=1")],
    "create_full": [req("POST", "/api/sessions", json.dumps({
        "dataset": "spiral", "noise": 10, "train_ratio": 50, "points": 30, "batch_size": 5,
        "features": ["x1", "x2", "x1^2", "sin(x1)"], "hidden": [4, 2], "activations": ["relu", "tanh"],
        "learning_rate": 0.03, "regularization": "l2", "regularization_rate": 0.001, "optimizer": "adam",
        "momentum": 0.9, "loss": "bce", "dropout": 0.1, "seed": 3})), req("POST", "/api/sessions/{sid}/step")],
    "actions": [create] + [req("POST", f"/api/sessions/{{sid}}/{a}") for a in
                           ("play", "pause", "step", "reset", "regenerate")],
    "config": [create, req("POST", "/api/sessions/{sid}/config", '{"hidden": [2, 2], "optimizer": "momentum"}')],
    "weights": [create, req("POST", "/api/sessions/{sid}/weight", '{"layer": 0, "to": 1, "from": 0, "value": 0.5}'),
                req("POST", "/api/sessions/{sid}/bias", '{"layer": 1, "neuron": 0, "value": -1}'),
                req("POST", "/api/sessions/{sid}/stepthrough", '{"sample": 3}')],
    "upload": [create, req("POST", "/api/sessions/{sid}/data?name=pts.csv", "x1,x2,label\n0,0,0\n1,1,1\n0.5,0.2,0\n"
                           "-1,2,1\n3,1,0\n2,2,1\n1,0,0\n0,1,1\n0.3,0.3,0\n0.9,0.8,1\n")],
    "exports": [create] + [req("GET", f"/api/sessions/{{sid}}/export/{f}") for f in
                           ("model.safetensors", "config.toml", "points.csv")],
    "delete": [create, req("DELETE", "/api/sessions/{sid}"), req("GET", "/api/sessions/{sid}/state")],
    "bad_json": [req("POST", "/api/sessions", '{"points": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}'),
                 req("POST", "/api/sessions", '{"hidden": "x"}'), req("POST", "/api/sessions", "[1]")],
    "host_origin": [req("POST", "/api/sessions", "{}", ["Host: evil.example"]),
                    req("POST", "/api/sessions", "{}", ["Origin: http://evil.example"]),
                    req("GET", "/index.html", "", ["Host: [::1]:8080"])],
    "queries": [create, req("GET", "/api/sessions/{sid}/state?grid=200&neurons=64"),
                req("GET", "/api/sessions/{sid}/state?grid=-1&points=x")],
}
for name, requests in serve.items():
    put("serve", name, "\0".join(requests))
