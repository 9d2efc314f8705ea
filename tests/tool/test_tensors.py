#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_tensors.py DIRTOOL WORKDIR -- `dirtool array pack/unpack` with real
tensor files: .npy and .npz written by NumPy (every dtype, C and Fortran
order, big-endian, NaN/Inf/-0), safetensors written by hand per its
specification (with __metadata__ and bfloat16), nested JSON and 2-D CSV;
bit-identical round trips through PNG, WebP and .dir; one test per class
of malformed file, each expecting its specific message."""
import json
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib

try:
    import numpy as np
except ImportError:
    if os.environ.get("CI") == "true":
        print("python3-numpy is missing (CI=true: failing)")
        sys.exit(1)
    print("python3-numpy is missing: skipping")
    sys.exit(77)

DIRTOOL, WORK = sys.argv[1], sys.argv[2]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)


def run(want, *args):
    p = subprocess.run([DIRTOOL, "array", *args], capture_output=True, text=True)
    out = p.stdout + p.stderr
    if p.returncode != want:
        fail(f"exit {p.returncode} (wanted {want}): dirtool array {' '.join(args)}\n{out}")
    return out


def expect(out, text):
    if text not in out:
        fail(f"output lacks {text!r}:\n{out}")


def same(a, b, what):
    """Same dtype, shape and bytes (NaN payloads included)."""
    if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
        fail(f"{what}: {b.dtype}{b.shape} came back for {a.dtype}{a.shape}")


# 1. every NumPy dtype, with the hard values, through every container
rng = np.random.default_rng(2026)
arrays = {}
for dt in ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
    d = np.dtype("<" + dt)
    if d.kind == "f":
        a = rng.standard_normal((7, 5)).astype(d)
        a.flat[:6] = [np.nan, np.inf, -np.inf, -0.0, np.finfo(d).tiny / 2, np.finfo(d).max]
    else:
        info = np.iinfo(d)
        a = rng.integers(info.min, info.max, size=(3, 4, 5), dtype=d, endpoint=True)
        a.flat[:2] = [info.min, info.max]
    arrays[dt] = a
arrays["b1"] = rng.integers(0, 2, size=(11,)).astype(bool)
arrays["scalar"] = np.array(2.5)
arrays["empty"] = np.zeros((0, 3), dtype=np.float32)
for name, a in arrays.items():
    np.save(f"{name}.npy", a)
    for ext in ["png", "webp", "dir"]:
        run(0, "pack", f"{name}.npy", f"{name}.{ext}")
        run(0, "unpack", f"{name}.{ext}", f"{name}-{ext}.npy")
        same(a, np.load(f"{name}-{ext}.npy"), f"{name}.npy through .{ext}")

# 2. Fortran order (what np.save(W.T) writes) and big-endian come back in C
#    order, little-endian, with the same values
w = rng.standard_normal((64, 32)).astype(np.float32)
np.save("wt.npy", w.T)
run(0, "pack", "wt.npy", "wt.dir")
run(0, "unpack", "wt.dir", "wt2.npy")
back = np.load("wt2.npy")
if not (back.flags.c_contiguous and back.shape == (32, 64) and np.array_equal(back, w.T)):
    fail("Fortran-order .npy did not come back as its C-order values")
np.save("be.npy", w.astype(">f4"))
run(0, "pack", "be.npy", "be.png")
run(0, "unpack", "be.png", "be2.npy")
same(w, np.load("be2.npy"), "big-endian float32")
# a (64, 32) float32 stays a (64, 32) float32
np.save("w.npy", w)
out = run(0, "pack", "w.npy", "w.dir")
expect(out, "binary (byte-shuffled), 8192 payload bytes")
run(0, "unpack", "w.dir", "w2.npy")
same(w, np.load("w2.npy"), "(64, 32) float32")

# 3. .npz from np.savez and np.savez_compressed: names, dtypes, shapes
np.savez("many.npz", **{"layer0.weight": arrays["f4"], "layer0.bias": arrays["f8"][0],
                        "mask": arrays["b1"], "ids": arrays["i8"]})
np.savez_compressed("manyz.npz", a=arrays["f2"], b=arrays["u2"])
for f in ["many", "manyz"]:
    out = run(0, "pack", f"{f}.npz", f"{f}.webp")
    run(0, "unpack", f"{f}.webp", f"{f}2.npz")
    z1, z2 = np.load(f"{f}.npz"), np.load(f"{f}2.npz")
    if sorted(z1.files) != sorted(z2.files):
        fail(f"{f}.npz members {z2.files}, expected {z1.files}")
    for k in z1.files:
        same(z1[k], z2[k], f"{f}.npz member {k}")
expect(run(0, "pack", "many.npz", "many.png"), "in 4 tensors")
# the same tensors give the same .npz bytes, whenever they are written (a
# regression test: the members carried the time of writing); the members are
# dated 1980-01-01 00:00
run(0, "unpack", "many.png", "again1.npz")
run(0, "unpack", "many.png", "again2.npz")
with open("again1.npz", "rb") as f1, open("again2.npz", "rb") as f2:
    if f1.read() != f2.read():
        fail("two unpacks of many.png to .npz differ")
with zipfile.ZipFile("again1.npz") as z:
    for info in z.infolist():
        if info.date_time != (1980, 1, 1, 0, 0, 0):
            fail(f"again1.npz member {info.filename} dated {info.date_time}")

# 4. safetensors by hand, per the specification: u64 header length, JSON
#    header (here padded with spaces), then the data, entirely indexed
def write_st(path, tensors, meta=None, pad=0, raw_header=None, data_extra=b""):
    header, data = {}, b""
    if meta is not None:
        header["__metadata__"] = meta
    for name, (dtype, shape, blob) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    h = raw_header if raw_header is not None else json.dumps(header).encode() + b" " * pad
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data + data_extra)


bf16 = (np.arange(12, dtype=np.float32) - 5.5).view(np.uint32) >> 16
st = {"emb": ("BF16", [3, 4], bf16.astype("<u2").tobytes()),
      "w": ("F32", [64, 32], w.tobytes()),
      "b": ("F64", [5], arrays["f8"][0].tobytes()),
      "n": ("I32", [2, 2], np.array([[1, -2], [3, -4]], "<i4").tobytes()),
      "flag": ("BOOL", [3], bytes([1, 0, 1]))}
meta = {"format": "pt", "note": "caf\u00e9 \"quoted\""}
write_st("m.safetensors", st, meta, pad=5)
for ext in ["dir", "png"]:
    out = run(0, "pack", "m.safetensors", f"m.{ext}")
    expect(out, "in 5 tensors")
    run(0, "unpack", f"m.{ext}", f"m2-{ext}.safetensors")
    with open(f"m2-{ext}.safetensors", "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    if n % 8:
        fail(f"written safetensors header length {n} is not a multiple of 8")
    hdr = json.loads(blob[8:8 + n])
    if hdr.get("__metadata__") != meta:
        fail(f"__metadata__ came back as {hdr.get('__metadata__')}")
    data = blob[8 + n:]
    for name, (dtype, shape, raw) in st.items():
        e = hdr.get(name)
        if not e or e["dtype"] != dtype or e["shape"] != shape:
            fail(f"safetensors {name}: {e}")
            continue
        b0, b1 = e["data_offsets"]
        if data[b0:b1] != raw:
            fail(f"safetensors {name}: data differs")
# bfloat16 has no .npy dtype: a clear error
expect(run(1, "unpack", "m.dir", "m.npy"), ".npy holds one tensor, not 5")
expect(run(1, "unpack", "m.dir", "m.npz"), "bfloat16, which .npy has no dtype for")

# 5. shapes from nested JSON and 2-D CSV; ragged nesting is an error
with open("n.json", "w") as f:
    f.write("[[1, 2, 3], [4, 5, 6.5]]\n")
run(0, "pack", "n.json", "n.dir")
run(0, "unpack", "n.dir", "n.npy")
same(np.array([[1, 2, 3], [4, 5, 6.5]]), np.load("n.npy"), "nested JSON")
run(0, "unpack", "n.dir", "n2.json")
with open("n2.json") as f:
    if f.read() != "[[1,2,3],[4,5,6.5]]\n":
        fail("nested JSON did not come back as its text")
with open("obj.json", "w") as f:
    f.write('{"a": [[1, 2]], "b": [3]}\n')
run(0, "pack", "obj.json", "obj.png")
run(0, "unpack", "obj.png", "obj2.json")
with open("obj2.json") as f:
    if json.load(f) != {"a": [[1, 2]], "b": [3]}:
        fail("a JSON object of arrays did not come back")
with open("rag.json", "w") as f:
    f.write("[[1, 2], [3]]\n")
expect(run(1, "pack", "rag.json", "x.dir"),
       "ragged nesting: an array of 1 at depth 1 where the first had 2")
with open("rag2.json", "w") as f:
    f.write("[[1, 2], 3]\n")
expect(run(1, "pack", "rag2.json", "x.dir"), "ragged nesting")
# a JSON tensor name with a NUL, or given twice, is refused (json-c cut
# "a\u0000b" to "a" and kept the second of two "a"); an escaped backslash
# before "u0000" is no NUL, and such a name comes back as it was
with open("nul.json", "wb") as f:
    f.write(b'{"a\\u0000b": [1, 2], "c": [3]}\n')
expect(run(1, "pack", "nul.json", "x.dir"),
       "'nul.json': JSON tensor name \"a\\u0000b\" holds a NUL character (\\u0000), "
       "which a tensor name cannot hold")
# a NUL byte ends json-c's parse: refused, not the rest ignored (a fuzz
# find: the name scan then ran past the text)
with open("nulbyte.json", "wb") as f:
    f.write(b'{"a": []}\0\0[0,1,"tttt')
expect(run(1, "pack", "nulbyte.json", "x.dir"),
       "'nulbyte.json': invalid JSON at byte 9: a NUL byte (JSON text holds none)")
with open("dupkey.json", "w") as f:
    f.write('{"a": [1, 2], "a": [3]}\n')
expect(run(1, "pack", "dupkey.json", "x.dir"), "'dupkey.json': JSON document names a tensor twice: 'a'")
with open("bs.json", "wb") as f:
    f.write(b'{"a\\\\u0000b": [1, 2]}\n')
run(0, "pack", "bs.json", "bs.dir")
run(0, "unpack", "bs.dir", "bs2.json")
with open("bs2.json") as f:
    if json.load(f) != {"a\\u0000b": [1, 2]}:
        fail("a JSON name with an escaped backslash did not come back")
with open("m.csv", "w") as f:
    f.write("1,2,3\n4,5,6\n")
run(0, "pack", "m.csv", "m.webp")
run(0, "unpack", "m.webp", "m.npy")
same(np.arange(1, 7, dtype=np.float64).reshape(2, 3), np.load("m.npy"), "2-D CSV")
run(0, "unpack", "m.webp", "m2.csv")
with open("m2.csv") as f:
    if f.read() != "1,2,3\n4,5,6\n":
        fail("2-D CSV did not come back as its text")
with open("rag.csv", "w") as f:
    f.write("1,2,3\n4,5\n")
expect(run(1, "pack", "rag.csv", "x.dir"), "line 2 has 2 values, line 1 has 3")
run(0, "unpack", "b1.dir", "b1.csv")  # bool: 1-D, fine as CSV
with open("b1.csv") as f:
    if f.read().split() != [str(int(x)) for x in arrays["b1"]]:
        fail("bool tensor as CSV")
np.save("r3.npy", np.zeros((2, 2, 2)))
run(0, "pack", "r3.npy", "r3.dir")
expect(run(1, "unpack", "r3.dir", "x.csv"), "CSV holds 1-D or 2-D tensors")
expect(run(1, "unpack", "f8.dir", "x.json"), "which JSON cannot hold")

# 6. malformed safetensors, one file per class
good = {"w": ("F32", [2], struct.pack("<2f", 1, 2))}
cases = [
    ("short", None, "no header length"),
    ("hugelen", None, "over the limit of 100000000"),
    ("pastend", None, "the file has"),
    ("notjson", b"{not json}", "header is not valid JSON"),
    ("trail", b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}x',
     "header is not valid JSON (byte 54: unexpected character)"),
    ("array", b"[1]", "does not start with '{'"),
    ("f8", b'{"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}}', "dtype F8_E4M3 not supported"),
    ("nooff", b'{"w":{"dtype":"F32","shape":[2]}}', "needs dtype, shape and data_offsets"),
    ("outside", b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', "outside the 8 data bytes"),
    ("size", b'{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', "8 data bytes for a F32 shape of 12 bytes"),
    ("overlap", b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                b'"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', "overlap"),
    ("hole", b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', "a hole of 4 bytes"),
    ("unused", b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', "4 bytes no tensor uses"),
    ("negshape", b'{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', "shape entry 0 is not a size"),
    ("meta", b'{"__metadata__":{"k":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
     "value of 'k' is not a string"),
    ("bool", b'{"m":{"dtype":"BOOL","shape":[8],"data_offsets":[0,8]}}', "bool element 2 is 128"),
]
for name, header, msg in cases:
    path = f"bad-{name}.safetensors"
    if name == "short":
        open(path, "wb").write(b"\x10\x00")
    elif name == "hugelen":
        open(path, "wb").write(struct.pack("<Q", 200000000) + b"{}")
    elif name == "pastend":
        open(path, "wb").write(struct.pack("<Q", 100) + b"{}")
    else:
        write_st(path, {}, raw_header=header, data_extra=struct.pack("<2f", 1, 2))
    expect(run(1, "pack", path, "x.dir"), msg)

# 7. malformed .npz and .npy
with open("notzip.npz", "wb") as f:
    f.write(b"PK\x03\x04garbage")
expect(run(1, "pack", "notzip.npz", "x.dir"), "not a valid .npz (zip) file")
with zipfile.ZipFile("txt.npz", "w") as z:
    z.writestr("readme.txt", "hello")
expect(run(1, "pack", "txt.npz", "x.dir"), "member 'readme.txt' is not a .npy file")
with zipfile.ZipFile("badnpy.npz", "w") as z:
    z.writestr("a.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': '<c16'")
expect(run(1, "pack", "badnpy.npz", "x.dir"), "member 'a.npy'")
np.save("c16.npy", np.zeros(3, dtype=np.complex128))
expect(run(1, "pack", "c16.npy", "x.dir"), "dtype '<c16' not supported")
with open("b1.npy", "rb") as f:
    blob = bytearray(f.read())
blob[-1] = 7
with open("bad-bool.npy", "wb") as f:
    f.write(blob)
expect(run(1, "pack", "bad-bool.npy", "x.dir"), "bool element 10 is 7")
if os.path.exists("x.dir"):
    fail("a failed pack left x.dir behind")

# 8. what a user gets for a 784x100 float32 layer (the example)
w1 = (rng.standard_normal((784, 100)) * 0.05).astype(np.float32)
np.save("w1.npy", w1)
out = run(0, "pack", "w1.npy", "w1.dir")
size = os.path.getsize("w1.dir")
print(f"784x100 float32: .npy {os.path.getsize('w1.npy')} bytes, raw {w1.nbytes}, .dir {size}")
if size > w1.nbytes:
    fail(f"784x100 float32 packed to {size} bytes, more than its raw {w1.nbytes}")
run(0, "unpack", "w1.dir", "w1b.npy")
same(w1, np.load("w1b.npy"), "784x100 float32")

# 9. JSON at the very end of the input: a bare number with no newline is a
#    scalar (json-c needs the end signalled); truncated and empty files say
#    so instead of json-c's "continue"
with open("bare.json", "w") as f:
    f.write("3.25")
run(0, "pack", "bare.json", "bare.dir")
run(0, "unpack", "bare.dir", "bare.npy")
if os.path.exists("bare.npy"):
    same(np.array(3.25), np.load("bare.npy"), "a bare number with no newline")
with open("bare2.json", "w") as f:
    f.write("-Infinity")
run(0, "pack", "bare2.json", "bare2.dir")
for name, text, msg in [("trunc", "[1,2", "'trunc.json': the JSON text ends early (at byte 4)"),
                        ("trunc2", '{"a": [1', "'trunc2.json': the JSON text ends early (at byte 8)"),
                        ("trunc3", "tru", "'trunc3.json': the JSON text ends early (at byte 3)"),
                        ("empty", "", "'empty.json': empty file\n"),
                        ("blank", " \n", "'blank.json': empty file (only white space)"),
                        ("after", "[1, 2] x", "'after.json': invalid JSON at byte 7: unexpected character"),
                        ("second", "[1] [2]", "'second.json': invalid JSON at byte 4: unexpected character")]:
    with open(f"{name}.json", "w") as f:
        f.write(text)
    out = run(1, "pack", f"{name}.json", "x.dir")
    expect(out, msg)
    if "continue" in out:
        fail(f"{name}.json: json-c's word in the message: {out}")
write_st("bad-trunc.safetensors", {}, raw_header=b'{"w":{"dtype":"F32"   ')
expect(run(1, "pack", "bad-trunc.safetensors", "x.dir"),
       "safetensors header is not valid JSON (it ends early, at byte 22)")

# 10. no tensors: np.savez() with no arrays packs, and unpacks to the 22-byte
#     empty zip numpy writes (libzip writes nothing for an empty archive)
np.savez("none.npz")
expect(run(0, "pack", "none.npz", "none.dir"), "in 0 tensors")
run(0, "unpack", "none.dir", "none2.npz")
if os.path.exists("none2.npz"):
    with open("none.npz", "rb") as f1, open("none2.npz", "rb") as f2:
        if f1.read() != f2.read():
            fail("an empty .npz did not come back as numpy's 22 bytes")
    if np.load("none2.npz").files != []:
        fail("numpy reads members in the empty .npz")
    run(0, "pack", "none2.npz", "none3.dir")

# 11. a name given twice in a safetensors header (json-c keeps the last)
dup = (b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
       b'"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}')
write_st("bad-dup.safetensors", {}, raw_header=dup, data_extra=struct.pack("<2f", 1, 2))
expect(run(1, "pack", "bad-dup.safetensors", "x.dir"),
       "'bad-dup.safetensors': safetensors header names a tensor twice: 'a'\n")
dup = (b'{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "\\u0062" :'
       b'{"dtype":"F32","shape":[1],"data_offsets":[4,8]}, "c": {"x": "d", "y": [1, {"z": 2}]}}')
write_st("bad-dup2.safetensors", {}, raw_header=dup, data_extra=struct.pack("<2f", 1, 2))
expect(run(1, "pack", "bad-dup2.safetensors", "x.dir"), "names a tensor twice: 'b'")
dup = b'{"__metadata__":{"k":"v"},"__metadata__":{"k":"w"}}'
write_st("bad-dup3.safetensors", {}, raw_header=dup)
expect(run(1, "pack", "bad-dup3.safetensors", "x.dir"), "safetensors header has __metadata__ twice")
# names that merely look alike, and nested names given once each, are fine
ok = (b'{"__metadata__":{"a":"x","b":"y"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
      b'"a.b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}')
write_st("ok-names.safetensors", {}, raw_header=ok, data_extra=struct.pack("<2f", 1, 2))
expect(run(0, "pack", "ok-names.safetensors", "x.dir"), "in 2 tensors")
os.remove("x.dir")

# 12. a NUL in a safetensors tensor name is refused (json-c's names end
#     there: "a\u0000b" was silently read as "a")
nul = b'{"a\\u0000b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
write_st("bad-nul.safetensors", {}, raw_header=nul, data_extra=struct.pack("<2f", 1, 2))
expect(run(1, "pack", "bad-nul.safetensors", "x.dir"),
       "'bad-nul.safetensors': safetensors tensor name \"a\\u0000b\" holds a NUL character "
       "(\\u0000), which a tensor name cannot hold")

# 13. a structured (record) dtype is named as such, not "no 'descr'"
np.save("rec.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i2")]))
expect(run(1, "pack", "rec.npy", "x.dir"),
       "'rec.npy': .npy holds a structured (record) dtype, [('a', '<f4'), ('b', '<i2')], which is "
       "not supported (save each field as its own array)")
np.savez("rec.npz", r=np.zeros(2, dtype=[("x", "<f8")] * 1), ok=np.zeros(2))
expect(run(1, "pack", "rec.npz", "x.dir"), ".npz member 'r.npy': .npy holds a structured (record) dtype")
np.save("rec2.npy", np.zeros(1, dtype=[(f"field{i:02d}", "<f4") for i in range(20)]))
expect(run(1, "pack", "rec2.npy", "x.dir"),
       "'rec2.npy': .npy holds a structured (record) dtype, [('field00', '<f4'), ")

# 14. an unnamed tensor is "(unnamed)" in every message, not ''
with open("wide.json", "w") as f:
    f.write(json.dumps(list(range(1024))) + "\n")
run(0, "pack", "wide.json", "wide.dir")
expect(run(1, "heatmap", "wide.dir", "x.png", "--zoom", "64"),
       "'wide.dir': the heatmap of (unnamed) would be 65536x64 pixels: use a smaller --zoom")
np.save("nan.npy", np.array([1.0, np.nan]))
run(0, "pack", "nan.npy", "nan.dir")
expect(run(1, "unpack", "nan.dir", "x.json"),
       "tensor (unnamed) element 1 is NaN, which JSON cannot hold")
write_st("unnamed-bf16.safetensors", {"": ("BF16", [2], b"\0\0\0\0")})
run(0, "pack", "unnamed-bf16.safetensors", "unnamed-bf16.dir")
expect(run(1, "unpack", "unnamed-bf16.dir", "x.npy"),
       "tensor (unnamed) is bfloat16, which .npy has no dtype for")
expect(run(1, "unpack", "r3.dir", "x.csv"), "CSV holds 1-D or 2-D tensors; (unnamed) is 3-D")

# 15. --tiles that fit no tensor is an error naming the tensor, its rows and
#     the tile size; with several tensors, those that do not fit are drawn
#     in their shape with a warning on stderr for each
expect(run(1, "heatmap", "w.dir", "x.png", "--tiles", "28x28"),
       "'w.dir': --tiles 28x28 needs rows (or, 2-D, columns) of 784 values, and tensor (unnamed) "
       "(64, 32) has rows of 32 values and columns of 64\n")
if os.path.exists("x.png"):
    fail("a failed heatmap left x.png behind")
expect(run(1, "heatmap", "m.dir", "x.png", "--tiles", "28x28"),
       "'m.dir': --tiles 28x28 needs rows (or, 2-D, columns) of 784 values, and no tensor has them "
       "(tensor 'emb' (3, 4) has rows of 4 values and columns of 3, and the 4 others do not "
       "either)")
p = subprocess.run([DIRTOOL, "array", "heatmap", "m.dir", "mt.png", "--tiles", "8x8"],
                   capture_output=True, text=True)
if p.returncode != 0:
    fail(f"heatmap m.dir --tiles 8x8: exit {p.returncode}\n{p.stderr}")
warned = [l for l in p.stderr.splitlines() if l.startswith("dirtool array: warning: ")]
want = ["dirtool array: warning: 'm.dir': tensor 'emb' (3, 4) has rows of 4 values and columns "
        "of 3: drawn without the 8x8 tiles (they need 64 values)",
        "dirtool array: warning: 'm.dir': tensor 'b' (5,) is 1-D: drawn without the 8x8 tiles "
        "(they need 64 values)",
        "dirtool array: warning: 'm.dir': tensor 'n' (2, 2) has rows of 2 values and columns of "
        "2: drawn without the 8x8 tiles (they need 64 values)",
        "dirtool array: warning: 'm.dir': tensor 'flag' (3,) is 1-D: drawn without the 8x8 tiles "
        "(they need 64 values)"]
if warned != want:
    fail(f"heatmap m.dir --tiles 8x8 warned {warned}")
if "w (64, 32) float32" not in p.stdout or "warning" in p.stdout:
    fail(f"heatmap m.dir --tiles 8x8 report:\n{p.stdout}")
p = subprocess.run([DIRTOOL, "array", "heatmap", "m.dir", "mu.png"], capture_output=True, text=True)
if p.returncode != 0 or "warning" in p.stderr:
    fail(f"heatmap m.dir without tiles: {p.stderr}")

# 16. a weight image saved at 16 bits per sample (an editor's 16-bit
# precision, "convert -depth 16"): every sample v x 257 reads back exactly;
# any other 16-bit sample says the image was edited, not "damaged header"
# (a regression test: the 16-bit samples' high and low bytes were read as
# colour bytes)


def png_rows(path):
    """The 8-bit RGB or RGBA rows of a non-interlaced PNG (filters undone)."""
    data = open(path, "rb").read()
    pos, idat, w, h, ch = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            ch = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * ch)
    for y in range(h):
        f, line = raw[y * (w * ch + 1)], bytearray(raw[y * (w * ch + 1) + 1:(y + 1) * (w * ch + 1)])
        for i in range(len(line)):
            a = line[i - ch] if i >= ch else 0
            b, c = prev[i], prev[i - ch] if i >= ch else 0
            pr = [0, a, b, (a + b) // 2,
                  min((a, b, c), key=lambda v: abs(a + b - c - v))][f]
            line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, ch, rows


def png16(path, w, h, ch, rows, bump=None):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body))
    raw = b""
    for y, row in enumerate(rows):
        wide = bytearray()
        for i, v in enumerate(row):
            wide += struct.pack(">H", v * 257 - (1 if bump == (y, i) else 0))
        raw += b"\0" + bytes(wide)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(
            ">IIBBBBB", w, h, 16, 2 if ch == 3 else 6, 0, 0, 0)) + chunk(
            b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


w16 = np.arange(-50, 50, dtype=np.float32).reshape(10, 10) / 8
np.save("w16.npy", w16)
run(0, "pack", "w16.npy", "w16.png")
geom = png_rows("w16.png")
png16("w16-16.png", *geom)
run(0, "unpack", "w16-16.png", "w16-back.npy")
if os.path.exists("w16-back.npy"):
    same(w16, np.load("w16-back.npy"), "a 16-bit copy of a weight image")
expect(run(0, "heatmap", "w16-16.png", "w16-heat.png"), "(10, 10) float32")
png16("w16-edit.png", *geom, bump=(0, 0))
for cmd in (["unpack", "w16-edit.png", "w16-edit.npy"], ["heatmap", "w16-edit.png", "w16e.png"]):
    expect(run(1, *cmd),
           "'w16-edit.png' has 16-bit samples that are not 8-bit values (0xfffe at pixel (0, 0)): "
           "an array image has 8 bits per sample, so this one was edited or scaled after it was "
           "packed")

# 17. tensors longer than 4096 on a side are drawn reduced (each cell its
#     block's largest |v|), the statistics over every value; small ones as
#     before, a cell per value
def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


rng = np.random.default_rng(16)
np.save("emb.npy", rng.standard_normal((40000, 64)).astype(np.float16))
np.save("long.npy", rng.standard_normal((1, 200000)).astype(np.float32))
for name, head, shown, (w, h) in (
        ("emb", "(unnamed) (40000, 64) float16: count 2560000 ", " shown 1:10 x 1:1\n",
         (None, 28 + 4000 + 10 + 34)),
        ("long", "(unnamed) (1, 200000) float32: count 200000 ", " shown 1:1 x 1:49\n",
         (12 + 4082 + 14 + 16 + 78, 28 + 160 + 10 + 34))):
    run(0, "pack", f"{name}.npy", f"{name}.dir")
    for zoom in ((), ("--zoom", "1")):
        if os.path.exists(f"{name}.png"):
            os.remove(f"{name}.png")
        out = run(0, "heatmap", f"{name}.dir", f"{name}.png", *zoom)
        expect(out, head)
        expect(out, shown)
        size = png_size(f"{name}.png") if os.path.exists(f"{name}.png") else None
        if size is None or size[1] != h or (w is not None and size[0] != w) or size[0] < 64 + 120:
            fail(f"heatmap of {name}.npy {' '.join(zoom)}: {size}, wanted {w}x{h}")
# the statistics are over every value, not the drawn cells
a = np.load("emb.npy").astype(np.float64)
out = run(0, "heatmap", "emb.dir", "emb.png")
stats = dict(zip(out.split()[4::2], out.split()[5::2]))
if float(stats.get("min", "nan")) != a.min() or float(stats.get("max", "nan")) != a.max():
    fail(f"heatmap of emb.npy: min/max {stats.get('min')} {stats.get('max')}, numpy says "
         f"{a.min()} {a.max()}")
# a zoom too large names one that fits, and that one draws
expect(run(1, "heatmap", "long.dir", "x.png", "--zoom", "8"),
       "'long.dir': the heatmap of (unnamed) would be 32656x16 pixels: use a smaller --zoom (7 or "
       "less;")
run(0, "heatmap", "long.dir", "x.png", "--zoom", "7")
# a small tensor keeps a cell per value
out = run(0, "heatmap", "wide.dir", "wide.png")
if "shown" in out:
    fail(f"heatmap of 1024 values reduced:\n{out}")

print(f"{fails} failure(s)")
sys.exit(1 if fails else 0)
