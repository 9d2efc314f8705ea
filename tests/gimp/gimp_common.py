#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What the tests of the two GIMP plug-ins share (gimp_tests.py for GIMP
2.10, gimp3_tests.py for GIMP 3, and tests/fuzz/hostile.py through
gimp_tests): running a mode with its checks, the checks on a finished GIMP
batch run (the plug-in just built registered, nothing crashed, no sanitizer
report), helpers for .dir files (header, chunks), PNGs with metadata and
their expected EXIF and XMP, the malformed-file classes, the corpus, and
the private X display that drives the dialogs.  Each host's file keeps its
own script-fu (the two PDBs differ) and its checks.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

SKIP = 77


class Failure(Exception):
    pass


def env_path(name):
    value = os.environ.get(name)
    if not value:
        raise Failure(f"{name} is not set (run through meson test)")
    return value


def shared_file(rel):
    """Path of a file under ../shared; missing: skip, or fail under CI."""
    path = os.path.join(env_path("DIR_SHARED"), rel)
    if not os.path.exists(path):
        if os.environ.get("CI") == "true":
            raise Failure(f"missing shared file {path} (CI=true: failing)")
        print(f"missing shared file {path}: skipping")
        sys.exit(SKIP)
    return path


def run(cmd, check=True, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, errors="replace", **kw)
    if check and proc.returncode != 0:
        raise Failure(f"command failed ({proc.returncode}): {' '.join(cmd)}\n"
                      f"{proc.stdout}{proc.stderr}")
    return proc


def scm_str(s):
    """A Scheme string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plugin_sanitizer_report(out):
    """A sanitizer report from our code in GIMP's output, or None.  Under a
    sanitizer build the plug-in process also reports leaks of the GTK/GEGL
    stack it links (frames in system libraries only): those are not ours,
    and only leaks with a frame in core/ or gimp-plugin/ count."""
    for mark in ("ERROR: AddressSanitizer", "runtime error:"):
        if mark in out:
            i = out.index(mark)
            return out[max(0, i - 200):i + 3000]
    for block in out.split("leak of ")[1:]:
        block = block.split("\n\n")[0]
        if "/gimp-plugin/" in block or "/core/" in block:
            return "leak of " + block
    return None


class Checks:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failures.append(what)
            print(f"FAIL {what}")
        return cond

    def done(self):
        print(f"{self.passed} checks passed, {len(self.failures)} failed")
        return 1 if self.failures else 0


def cmp_images(helper, a, b):
    proc = run([helper, "cmp", a, b], check=False)
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


def png_with_density(src, dst, ppm=2835):
    """Copies PNG `src` to `dst` with a pHYs chunk of `ppm` pixels per metre
    after IHDR.  GIMP gives an image without one its default resolution and
    exports that; dirtool exports what the PNG has: with the chunk both
    write the same density, so their files can be compared byte for byte."""
    with open(src, "rb") as f:
        d = f.read()
    ihdr_end = 8 + 8 + struct.unpack(">I", d[8:12])[0] + 4
    data = struct.pack(">IIB", ppm, ppm, 1)
    chunk = (struct.pack(">I", len(data)) + b"pHYs" + data +
             struct.pack(">I", zlib.crc32(b"pHYs" + data) & 0xffffffff))
    with open(dst, "wb") as f:
        f.write(d[:ihdr_end] + chunk + d[ihdr_end:])


def encoder_options(dirtool):
    """The encoder's options as `dirtool encode --help` lists them from the
    core's table, in its order: {name: (choices or None, default)}."""
    out = run([dirtool, "encode", "--help"], check=False)
    text = out.stdout + out.stderr
    opts = {}
    for m in re.finditer(r"^  --(\w+) +(\S+)\n +.*\(default ([^)]*)\)$", text, re.M):
        name, values, default = m.groups()
        opts[name] = (None if ".." in values else values.split("|"), default)
    if "preset" not in opts or "level" not in opts:
        raise Failure(f"dirtool encode --help lists no options:\n{text}")
    return opts


def option_words(text):
    """"name=value ..." as a dict."""
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


def core_message(dirtool, src, *args):
    """The core's message for bad options, as dirtool encode prints it."""
    proc = run([dirtool, "encode", src, os.devnull] + list(args), check=False)
    m = re.search(r"dirtool encode: (.*) \(dirtool encode --help\)", proc.stderr)
    if proc.returncode == 0 or not m:
        raise Failure(f"dirtool encode {' '.join(args)} did not fail with a message: "
                      f"{proc.stderr}")
    return m.group(1)


def same_bytes(a, b):
    with open(a, "rb") as f1, open(b, "rb") as f2:
        return f1.read() == f2.read()


def dir_chunk(path, kind):
    """The data of chunk `kind` (bytes, b"iCCP") of a version-2 .dir file
    (docs/FORMAT.md, section 0), or None."""
    return dir_chunks(path).get(kind.decode())


META_ICC = "/usr/share/color/icc/ghostscript/a98.icc"
META_COMMENT = "Holiday caf\u00e9"
META_DENSITY = 11811  # pixels per metre: 300 dpi
META_EXIF_TAGS = {0x010F: "DirCam", 0x0110: "Model 7"}  # Make, Model
META_CREATOR = "Ada Tester"


def meta_exif():
    """A little-endian TIFF header and IFD0 with the ASCII tags of
    META_EXIF_TAGS: EXIF as the eXIf chunk holds it."""
    tags = sorted(META_EXIF_TAGS.items())
    values = [v.encode() + b"\0" for _, v in tags]
    at = 8 + 2 + 12 * len(tags) + 4
    entries = b""
    for (tag, _), v in zip(tags, values):
        entries += struct.pack("<HHII", tag, 2, len(v), at)
        at += len(v)
    return (b"II*\0" + struct.pack("<IH", 8, len(tags)) + entries + struct.pack("<I", 0) +
            b"".join(values))


def meta_xmp():
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
            'rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
            f'<rdf:Seq><rdf:li>{META_CREATOR}</rdf:li></rdf:Seq></dc:creator>'
            '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode()


# EXIF that the core accepts (a TIFF header, 8 bytes and more) but whose
# IFD0 lies past its end: GIMP cannot read it, and the file must still open.
BROKEN_EXIF = b"II*\0" + struct.pack("<I", 4000) + b"\0" * 8


def png_with_metadata(src, out, exif=None):
    """`src` (a PNG, here with its iCCP) with eXIf (meta_exif (), or `exif`),
    the XMP iTXt, a Comment iTXt and pHYs added before its pixels: what
    dirtool encode turns into the five metadata chunks of a .dir file."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    with open(src, "rb") as f:
        d = f.read()
    at = d.index(b"IDAT") - 4
    extra = (chunk(b"eXIf", exif or meta_exif()) +
             chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + meta_xmp()) +
             chunk(b"iTXt", b"Comment\0\0\0\0\0" + META_COMMENT.encode()) +
             chunk(b"pHYs", struct.pack(">IIB", META_DENSITY, META_DENSITY, 1)))
    with open(out, "wb") as f:
        f.write(d[:at] + extra + d[at:])


def exif_ascii_tags(tiff):
    """The ASCII tags of IFD0 of EXIF data (from the TIFF header on)."""
    if not tiff or tiff[:4] not in (b"II*\0", b"MM\0*"):
        return {}
    e = "<" if tiff[:2] == b"II" else ">"
    ifd = struct.unpack_from(e + "I", tiff, 4)[0]
    n = struct.unpack_from(e + "H", tiff, ifd)[0]
    tags = {}
    for i in range(n):
        tag, kind, count, value = struct.unpack_from(e + "HHII", tiff, ifd + 2 + 12 * i)
        if kind == 2:
            raw = (tiff[ifd + 2 + 12 * i + 8:][:count] if count <= 4
                   else tiff[value:value + count])
            tags[tag] = raw.rstrip(b"\0").decode("latin-1")
    return tags


def xmp_creators(xmp):
    """The dc:creator values of an XMP packet."""
    import xml.etree.ElementTree as ET
    if not xmp:
        return []
    text = xmp.decode("utf-8")
    text = re.sub(r"<\?xpacket[^>]*\?>", "", text)
    root = ET.fromstring(text)
    dc = "{http://purl.org/dc/elements/1.1/}"
    rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
    return [li.text for c in root.iter(dc + "creator") for li in c.iter(rdf + "li")]


def dir_chunks(path):
    """{type: data} of every chunk of a version-2 .dir file ({} for v1)."""
    with open(path, "rb") as f:
        d = f.read()
    if len(d) < 40 or d[8] != 2:
        return {}
    count = struct.unpack_from("<I", d, 24)[0]
    at, out = 40, {}
    for _ in range(count):
        t, n = d[at:at + 4], struct.unpack_from("<I", d, at + 4)[0]
        out[t.decode()] = d[at + 8:at + 8 + n]
        at += 12 + n
    return out


def header(helper, path):
    out = run([helper, "header", path]).stdout
    return dict(kv.split("=", 1) for kv in out.split())


class Display:
    """A private Xvfb server, and key presses sent with xdotool (XTEST)."""

    def __init__(self, work):
        self.xvfb = shutil.which("Xvfb")
        self.xdotool = shutil.which("xdotool")
        missing = [n for n, p in (("Xvfb", self.xvfb), ("xdotool", self.xdotool)) if not p]
        if missing:
            msg = f"{' and '.join(missing)} not found: the dialogs cannot be driven"
            if os.environ.get("CI") == "true":
                raise Failure(msg + " (CI=true: failing)")
            print(msg + ": skipping")
            sys.exit(SKIP)
        rfd, wfd = os.pipe()
        # -noreset: by default the X server resets when its last client
        # disconnects, and refuses connections while it does.  Between two
        # plug-in dialogs (and xdotool's short connections) nothing may be
        # connected, so a plug-in starting then failed with "cannot open
        # display" and its dialog never came (gimp3-interactive, CI run of
        # 2026-12-03).
        self.proc = subprocess.Popen([self.xvfb, "-displayfd", str(wfd), "-noreset", "-screen",
                                      "0", "1280x1024x24", "-nolisten", "tcp"],
                                     pass_fds=(wfd,), stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(work, "xvfb.log"), "w"))
        os.close(wfd)
        with os.fdopen(rfd) as f:
            number = f.readline().strip()
        if not number:
            self.proc.kill()
            raise Failure("Xvfb did not start")
        self.display = ":" + number

    def xdo(self, *args, timeout=60):
        env = dict(os.environ, DISPLAY=self.display)
        return subprocess.run([self.xdotool] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=timeout)

    def window(self, title, timeout=120, exclude=()):
        """Waits, with a bounded retry, for a visible window whose title
        contains `title` and whose id is not in `exclude` (a dialog that was
        just closed may still be mapped for a moment); its id.  A busy
        machine can take a long time to map a dialog, so this polls instead
        of searching once."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                proc = self.xdo("search", "--onlyvisible", "--name", title, timeout=30)
                ids = [w for w in proc.stdout.split() if w not in exclude]
            except subprocess.TimeoutExpired:
                ids = []
            if ids:
                return ids[-1]
            if time.monotonic() > deadline:
                raise Failure(f"no window '{title}' within {timeout} s")
            time.sleep(0.25)

    def wait_gone(self, window, title, timeout=120):
        """Waits, with a bounded retry, until window `window` (titled
        `title`) is no longer mapped: the next dialog of a new plug-in
        process may get the same window id."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                proc = self.xdo("search", "--onlyvisible", "--name", title, timeout=30)
                ids = proc.stdout.split()
            except subprocess.TimeoutExpired:
                ids = [window]
            if window not in ids:
                return
            if time.monotonic() > deadline:
                raise Failure(f"window '{title}' still open after {timeout} s")
            time.sleep(0.25)

    def keys(self, title, *keys, exclude=()):
        """Sends key presses to the window `title` once it has the focus;
        returns the window's id."""
        w = self.window(title, exclude=exclude)
        deadline = time.monotonic() + 60
        while True:
            self.xdo("windowfocus", "--sync", w, timeout=30)
            focus = self.xdo("getwindowfocus", timeout=30).stdout.strip()
            if focus == w or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        for k in keys:
            self.xdo("key", "--delay", "150", k)
        return w

    def close(self):
        self.proc.kill()
        self.proc.wait()


def screenshot(d, window, name):
    """Saves window `window` of display `d` as DIR_SCREENSHOT_DIR/name
    (ImageMagick's import, IM6's or IM7's), when that variable is set."""
    out_dir = os.environ.get("DIR_SCREENSHOT_DIR")
    if not out_dir:
        return
    importer = shutil.which("import") or shutil.which("import-im7.q16")
    if not importer:
        raise Failure("DIR_SCREENSHOT_DIR is set but ImageMagick's import is missing")
    d.xdo("mousemove", "0", "0")  # no tooltip over the dialog
    time.sleep(1.5)  # let the dialog draw itself
    run([importer, "-display", d.display, "-window", window, os.path.join(out_dir, name)])


# ---- a GIMP batch run -------------------------------------------------------

def check_gimp_run(rc, output, program, host, profile, want_plugin):
    """The checks on a finished batch run of `program` (gimp-console-2.10 or
    -3.0, named `host` in messages): it exited 0, the script-fu prelude ran,
    GIMP registered the plug-in just built (`want_plugin`, not an installed
    copy) in `profile`, nothing crashed, and in a sanitizer build the
    plug-in's reports (which reach GIMP's output without making GIMP fail)
    are none.  The registered plug-in's path."""
    if rc != 0:
        raise Failure(f"{program} exited with {rc}:\n{output}")
    if "DT ready" not in output:
        raise Failure(f"the script-fu prelude did not run:\n{output}")
    with open(os.path.join(profile, "pluginrc"), "rb") as f:
        pluginrc = f.read().decode("utf-8", "replace")
    m = re.search(r'\(plug-in-def "([^"]*file-dir)"', pluginrc)
    if not m:
        raise Failure(f"{host} did not register the file-dir plug-in")
    path = m.group(1)
    if os.path.realpath(path) != os.path.realpath(want_plugin):
        raise Failure(f"{host} registered {path}, not the plug-in just built ({want_plugin})")
    for bad in ("Plug-in crashed", "crashed", "terminated"):
        if bad in output:
            raise Failure(f"{host} reports '{bad}':\n{output}")
    report = plugin_sanitizer_report(output)
    if report:
        raise Failure(f"sanitizer report from the plug-in:\n{report}")
    return path


def marks_of(output):
    """The texts of the (dt-mark ...) messages of a batch run."""
    return [line.split("DT ", 1)[1].strip() for line in output.splitlines() if "DT " in line]


# ---- load -------------------------------------------------------------------

# (name, width, height, channels, dirtool encode options): version-1 files
# of every option.
LOAD_CASES = [
    ("grey-default", 61, 47, 1, []),
    ("grey-raw", 16, 16, 1, ["--backend", "none", "--filter", "none"]),
    ("rgb-default", 300, 200, 3, []),
    ("rgb-sub-interleaved", 97, 131, 3, ["--version", "1", "--filter", "sub", "--interleaved"]),
    ("rgb-tiny", 1, 1, 3, ["--backend", "none"]),
    ("rgba-default", 123, 77, 4, []),
    ("rgba-none-l1", 257, 33, 4, ["--filter", "none", "--level", "1"]),
]

# The extensions of the same file both plug-ins open by content (magic).
MAGIC_NAMES = (("bare", "by-content"), ("png", "misnamed.png"))


def malformed_files(good, good_v1):
    """One file per malformed-file class the core reports (the classes of
    tests/magick/magick-test.sh), made from `good` (a .dir file's bytes)
    and `good_v1` (a version-1 file's, whose width field is at offset
    16)."""
    half = len(good) // 2
    return {
        "truncated": good[:half],
        "flipped": good[:half] + bytes([good[half] ^ 0x5a]) + good[half + 1:],
        "magic": b"NOTADIR!" + good[8:],
        "version": good[:8] + bytes([7]) + good[9:],
        "channels": good[:9] + bytes([7]) + good[10:],
        "crc": good[:24] + b"\xff\xff\xff\xff" + good[28:],
        "header-cut": good[:40],
        # Wider than GIMP's largest image (GIMP_MAX_IMAGE_SIZE, 524288):
        # refused before anything is allocated.
        "huge": good_v1[:16] + (600000).to_bytes(4, "little") + good_v1[20:],
        "trailing": good + b"\0" * 100,
        "empty": b"",
    }


def write_malformed(a, work):
    """Writes a file of each malformed-file class (malformed_files ()), made
    from work/rgba-default.dir and a version-1 file of rgba-default.png, as
    work/corrupt-NAME.dir: {name: path}, {name: the core's message for it}
    (the "huge" one's is GIMP's size limit)."""
    v1 = os.path.join(work, "rgba-v1.dir")
    run([env_path("DIRTOOL"), "encode", os.path.join(work, "rgba-default.png"), v1,
         "--backend", "none", "--filter", "none"])
    with open(os.path.join(work, "rgba-default.dir"), "rb") as f1, open(v1, "rb") as f2:
        corrupt = malformed_files(f1.read(), f2.read())
    paths, expected = {}, {}
    for name, data in corrupt.items():
        paths[name] = os.path.join(work, f"corrupt-{name}.dir")
        with open(paths[name], "wb") as f:
            f.write(data)
        if name == "huge":
            expected[name] = "image 600000x77 is over the size limit (524288x524288"
        elif data:
            expected[name] = run([a.testimg, "diag", paths[name]], check=False).stdout.strip()
    return paths, expected


def check_load_common(a, work, checks, marks, output, corrupt, expected, host):
    """The load checks both hosts share: the files opened by their magic,
    the thumbnail, and every malformed file refused with the core's message
    while GIMP carries on (the batch commands of each host mark "magic
    TAG", "thumb WxH type T", "corrupt NAME result ..." (only on success)
    and "after NAME GIMP still runs 5")."""
    for tag, fname in MAGIC_NAMES:
        if checks.ok(f"magic {tag}" in marks, f"a .dir file named '{fname}' opens by its magic"):
            same, msg = cmp_images(a.testimg, os.path.join(work, "rgba-default.png"),
                                   os.path.join(work, fname + "-gimp.png"))
            checks.ok(same, f"'{fname}' opened by magic, pixel-exact ({msg})")
    checks.ok("thumb 123x77 type 1" in marks, "thumbnail procedure gives 123x77 RGBA")
    for name in corrupt:
        checks.ok(not [x for x in marks if x.startswith(f"corrupt {name} ")],
                  f"malformed '{name}': gimp-file-load fails")
        checks.ok(f"after {name} GIMP still runs 5" in marks,
                  f"malformed '{name}': {host} carries on afterwards")
        if name in expected:
            msg = expected[name]
            checks.ok(bool(msg) and msg in output,
                      f"malformed '{name}': {host} shows the core's message '{msg}'")
    checks.ok("Could not open" in output and "corrupt-empty.dir" in output,
              "an empty .dir file gives an error naming the file")


# ---- 16 bits and grey+alpha ---------------------------------------------------

# Version-2 images (issue 8) that both plug-ins open and export at their own
# precision and channels: (name, width, height, channels, depth, whether it
# carries the META_ICC profile).  The GIMP 2.10 load mode opens each as a
# .dir written by dirtool and exports it again; the GIMP 3 export mode
# exports each from its PNG (opened at 16-bit integer precision).
DEEP_CASES = [("rgb16-icc", 40, 30, 3, 16, True), ("ga8", 33, 21, 2, 8, False),
              ("ga16", 35, 19, 2, 16, False), ("rgba16", 20, 20, 4, 16, False),
              ("grey16", 17, 9, 1, 16, False)]


def deep_sources(a, work, seed=500):
    """Writes each image of DEEP_CASES as work/NAME.png (gimp-testimg gen at
    its depth, with META_ICC when it has the profile): [(name, channels,
    depth, the profile's path or None, the PNG's path)]."""
    if not os.path.exists(META_ICC):
        raise Failure(f"{META_ICC} is missing (Debian package libgs-common)")
    out = []
    for i, (name, w, h, c, depth, icc) in enumerate(DEEP_CASES):
        src = os.path.join(work, name + ".png")
        prof = META_ICC if icc else None
        run([a.testimg, "gen", src, str(w), str(h), str(c), str(seed + i), str(depth)] +
            ([prof] if prof else []))
        out.append((name, c, depth, prof, src))
    return out


def check_deep_export(a, checks, name, src, out, channels, depth, prof):
    """The checks on `out`, the export of the DEEP_CASES image `name` opened
    from `src`: a version-2 file at `depth` bits with `channels` channels
    (its header, and dirtool info --json), every sample of `src`, and the
    profile `prof` (a path, or None for none) byte for byte in its iCCP
    chunk."""
    if not checks.ok(os.path.exists(out), f"{name}: exported"):
        return
    hdr = header(a.testimg, out)
    checks.ok(hdr["version"] == "2" and hdr["depth"] == str(depth) and
              hdr["channels"] == str(channels),
              f"{name}: exported at {depth} bits, {channels} channels ({hdr})")
    info = json.loads(run([env_path("DIRTOOL"), "info", "--json", out]).stdout)
    got = (info["version"], info["depth"], info["channels"])
    checks.ok(got == (2, depth, channels),
              f"{name}: dirtool info says version 2, {depth} bits, {channels} channels ({got})")
    same, msg = cmp_images(a.testimg, src, out)
    checks.ok(same, f"{name}: the export has every sample of the source ({msg})")
    want = b""
    if prof:
        with open(prof, "rb") as f:
            want = f.read()
    checks.ok(info["metadata"]["icc_bytes"] == len(want),
              f"{name}: {'the' if prof else 'no'} ICC profile in the file ({info['metadata']})")
    if prof:
        checks.ok(dir_chunk(out, b"iCCP") == want,
                  f"{name}: the exported profile is byte for byte the source's")


# ---- metadata ---------------------------------------------------------------

def metadata_source(a, work):
    """The metadata modes' source: a 64x48 RGB PNG with the META_ICC
    profile (meta-src.png) and full.dir, written by dirtool from it with the
    EXIF, XMP, comment and density of png_with_metadata (): the profile's
    bytes, the PNG's path and the .dir's."""
    if not os.path.exists(META_ICC):
        raise Failure(f"{META_ICC} is missing (Debian package libgs-common)")
    with open(META_ICC, "rb") as f:
        icc = f.read()
    src = os.path.join(work, "meta-src.png")
    run([a.testimg, "gen", src, "64", "48", "3", "41", "8", META_ICC])
    png = os.path.join(work, "meta.png")
    png_with_metadata(src, png)
    full = os.path.join(work, "full.dir")
    run([env_path("DIRTOOL"), "encode", png, full])
    return icc, src, full


# ---- heatmap ----------------------------------------------------------------

def three_tensors(work):
    """A self-describing image of three named tensors (dirtool array pack
    of a JSON object), and one of its first tensor alone."""
    dirtool = env_path("DIRTOOL")
    tensors = {"W1": [[(i * 7 + j * 3) % 11 / 10 - 0.5 for j in range(28)] for i in range(20)],
               "b1": [0.1, -0.2, 0.3],
               "W2": [[0.5, -1.0], [2.0, 0.25], [-0.75, 0.0]]}
    paths = []
    for tag, obj in (("tensors", tensors), ("w1", {"W1": tensors["W1"]})):
        js = os.path.join(work, tag + ".json")
        with open(js, "w") as f:
            json.dump(obj, f)
        png = os.path.join(work, tag + ".png")
        run([dirtool, "array", "pack", js, png])
        paths.append(png)
    return paths


def dirtool_heatmap(work, path, *opts):
    """dirtool array heatmap's picture of `path` with `opts` (a new PNG in
    `work`) and its report's lines but the first."""
    ref = os.path.join(work, f"dirtool-{len(os.listdir(work))}.png")
    report = run([env_path("DIRTOOL"), "array", "heatmap", path, ref] + list(opts)).stdout
    return ref, [line for line in report.splitlines() if not line.startswith("heatmap ")]


def check_dialog_classic_heatmap(a, work, checks, node, heat_png):
    """The heatmap drawn from the dialog of the classic node.png at zoom 2
    (`heat_png`, flattened) is dirtool's picture with --zoom 2."""
    if checks.ok(os.path.exists(heat_png), "the classic image's heatmap was drawn from the dialog"):
        ref = os.path.join(work, "dirtool-heat.png")
        run([env_path("DIRTOOL"), "array", "heatmap", node, ref, "--classic", "--capacity", "1",
             "--zoom", "2"])
        same, msg = cmp_images(a.testimg, ref, heat_png)
        checks.ok(same, f"the dialog's heatmap (zoom 2) equals dirtool's --zoom 2 ({msg})")


# ---- corpus -----------------------------------------------------------------

def corpus_jobs(work, checks):
    """The images of ../shared/corpus/public.tsv (fetched into the cache of
    tests/bench/fetch-corpus.sh), each written as .dir by dirtool: the
    cache and [(source, .dir, the PNG GIMP is to export)]."""
    dirtool = env_path("DIRTOOL")
    corpus_list = shared_file("corpus/public.tsv")
    cache = os.environ.get("DIR_CORPUS_DIR") or os.path.join(env_path("DIR_BUILD_ROOT"),
                                                            "bench-corpus")
    fetch = os.path.join(env_path("DIR_SOURCE_ROOT"), "tests", "bench", "fetch-corpus.sh")
    proc = run(["sh", fetch, cache], check=False, env=dict(os.environ, DIR_CORPUS_LIST=corpus_list))
    if proc.returncode != 0:
        msg = f"could not fetch the corpus: {proc.stderr.strip()[-400:]}"
        if os.environ.get("CI") == "true":
            raise Failure(msg)
        print(msg + ": skipping")
        sys.exit(SKIP)
    images = [line.split("\t", 1)[1] for line in proc.stdout.splitlines() if "\t" in line]
    checks.ok(len(images) > 0, f"{len(images)} corpus images fetched")
    jobs = [(src, os.path.join(work, f"c{i:03d}.dir"), os.path.join(work, f"c{i:03d}-gimp.png"))
            for i, src in enumerate(images)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(lambda j: run([dirtool, "encode", j[0], j[1]]), jobs))
    return cache, jobs


def check_corpus(a, checks, cache, jobs, marks, host):
    """Each corpus image opened (its batch command marked "corpus I") and
    exported pixel-exact; the number that were."""
    marks = set(marks)
    exact = 0
    for i, (src, d, out) in enumerate(jobs):
        rel = os.path.relpath(src, cache)
        if not checks.ok(f"corpus {i}" in marks, f"{host} opened {rel} as .dir"):
            continue
        same, msg = cmp_images(a.testimg, src, out)
        exact += same
        checks.ok(same, f"{rel}: pixel-exact in {host} ({msg})")
    return exact


# ---- main -------------------------------------------------------------------

def main(modes, prefix):
    """Runs the mode named on the command line (`modes`: {name: function
    (args, work folder, checks)}) in a temporary folder (kept with
    DIR_KEEP_TMP set); the exit status: 0 pass, 1 fail."""
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=list(modes))
    p.add_argument("--gimp", required=True)
    p.add_argument("--testimg", required=True)
    p.add_argument("--plugin-dir", required=True)
    p.add_argument("--convert", default="")
    p.add_argument("--probe-dir", default="")
    a = p.parse_args()
    checks = Checks()
    work = tempfile.mkdtemp(prefix=f"{prefix}-{a.mode}-")
    try:
        modes[a.mode](a, work, checks)
    except Failure as e:
        print(f"FAIL {e}")
        checks.failures.append(str(e))
    finally:
        if os.environ.get("DIR_KEEP_TMP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return checks.done()


# ---- progress ---------------------------------------------------------------

def probe_plugin_path(profile, probe_dir):
    """Puts the progress probe's build folder (tests/gimp/progress-probe.c)
    first on the plug-in-path of the profile's gimprc."""
    rc = os.path.join(profile, "gimprc")
    with open(rc) as f:
        text = f.read()
    if '(plug-in-path "' not in text:
        raise Failure(f"{rc} has no plug-in-path to extend")
    with open(rc, "w") as f:
        f.write(text.replace('(plug-in-path "', f'(plug-in-path "{probe_dir}:', 1))


def progress_files(a, work):
    """The progress tests' files: a 1024x768 RGBA .dir written by dirtool
    (enough rows for many progress steps), the export's path and the log's."""
    src_png = os.path.join(work, "big.png")
    run([a.testimg, "gen", src_png, "1024", "768", "4", "77"])
    src = os.path.join(work, "big.dir")
    run([env_path("DIRTOOL"), "encode", src_png, src])
    return src, os.path.join(work, "again.dir"), os.path.join(work, "progress.log")


def check_progress_log(checks, host, log_path, src_name, dst_name, probe=True):
    """The progress calls recorded while GIMP opened `src_name` and
    exported it as `dst_name` with the .dir plug-in (probe: by the progress
    probe, with its "loaded" and "saved" marks; else by the preloaded
    progress-shim.c): each step starts the progress with the plug-in's
    message ("Opening 'NAME'", "Exporting 'NAME'"), then moves it forward
    in several steps (the export's middle from the core encoder's own
    reports), up to 1.0."""
    if not os.path.exists(log_path):
        raise Failure(f"{host}: no progress was recorded ({log_path} is missing)")
    with open(log_path) as f:
        lines = [x.rstrip("\n") for x in f]
    if probe:
        checks.ok("no progress installed" not in lines,
                  f"{host}: the probe's progress is installed")
        checks.ok("loaded" in lines and "saved" in lines,
                  f"{host}: the probe opened the .dir and exported it ({lines[-3:]})")
    # the export starts where its message is (a start, or a new text on a
    # progress still active)
    cut = next((i for i, x in enumerate(lines)
                if x.startswith(("start Exporting", "text Exporting"))), len(lines))
    steps = {"load": lines[:cut], "export": lines[cut:]}
    for step, name, message in (("load", src_name, "Opening"), ("export", dst_name, "Exporting")):
        calls = steps[step]
        texts = [x.split(" ", 1)[1] for x in calls if x.startswith(("start ", "text "))]
        checks.ok(any(re.fullmatch(f"{message} '(.*/)?{re.escape(name)}'", t) for t in texts),
                  f"{host} {step}: the progress says {message} '{name}' ({texts})")
        values = [float(x.split()[1]) for x in calls if x.startswith("value ")]
        inner = [v for v in values if 0 < v < 1]
        checks.ok(values == sorted(values) and len(set(inner)) >= 4,
                  f"{host} {step}: the progress moves forward in steps "
                  f"({len(values)} values, {len(set(inner))} between 0 and 1)")
        checks.ok(bool(values) and values[-1] == 1.0,
                  f"{host} {step}: the progress reaches 1.0 (last {values[-1:]})")
        if step == "export":
            checks.ok(any(0.3 < v < 0.9 for v in values),
                      f"{host} export: the encoder's own reports are in the progress "
                      f"(values between 0.3 and 0.9)")
