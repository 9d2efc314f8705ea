#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of the GIMP 3 plug-in with the real gimp-console-3.0 in batch mode.

Usage: gimp3_tests.py MODE --gimp GIMP --testimg HELPER --plugin-dir DIR
                      [--convert MAGICK]

MODE is one of:
  load     .dir files written by dirtool (grey, RGB, RGBA; every option)
           open pixel-exact by extension and by content (magic); the
           thumbnail procedure; every malformed-file class gives GIMP the
           core's message and GIMP carries on
  metadata a .dir with ICC profile, EXIF, XMP, comment and density opens
           with each of them (python-fu reads the image's profile and
           GimpMetadata), and file-dir-export writes them back as asked by
           its include-* arguments; a .dir without metadata exports none;
           a version-1 file's options are its next export's last values
  export   file-dir-export with the core's options as named arguments,
           gimp-file-save (defaults), a preset, last values remembered;
           grey+alpha, indexed and layered images; 16-bit RGB, RGBA, grey
           and grey+alpha images (one with an ICC profile) written as
           version 2 at 16 bits with their channels, every sample exact;
           bad values refused and no partial file; the files decode
           pixel-exact with dirtool and carry the bytes ImageMagick 7
           writes for the same options
  heatmap  plug-in-dir-array-heatmap: a multi-tensor file gives a layer
           per tensor (name, shape, dtype), the flattened image and each
           layer equal to dirtool array heatmap's pictures, with zoom,
           tiles, percentile and scale; the classic reference node.png; the
           plain grid (dirtool --plain, --shape, the sample weights);
           refusals with their messages
  corpus   every image of ../shared/corpus/public.tsv, written as .dir by
           dirtool, opens pixel-exact in GIMP 3
  bomb     the decompression bombs of tests/fuzz/hostile.py: refused with
           the core's limit message before allocation; GIMP carries on
  progress the plug-in's progress calls during a load and an export,
           recorded by tests/gimp/progress-shim.c (--probe-dir its folder),
           preloaded through GIMP_PLUGIN_DEBUG_WRAP
  interactive
           the export dialog (options changed with their mnemonics, then
           remembered: GIMP 3 keeps the values of interactive runs for
           RUN-WITH-LAST-VALS) and the heatmap dialog (the sample network's
           four tensors, then a classic image with zoom 2) on a private
           Xvfb display, driven with xdotool; with DIR_SCREENSHOT_DIR set,
           screenshots of the dialogs are saved there (docs/img/), and one
           of the heatmap's layers in the GIMP 3 window
           (docs/img/gimp-heatmap.sh)

Each mode starts GIMP once with a temporary profile (GIMP3_DIRECTORY) whose
gimprc is the one `meson devenv` uses, so the freshly built plug-in is the
one GIMP runs.  Exit 0 pass, 1 fail, 77 skip (never under CI=true).
"""

import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
from gimp_common import (BROKEN_EXIF, LOAD_CASES as V1_LOAD_CASES, MAGIC_NAMES, META_COMMENT,  # noqa: E402
                         META_CREATOR, META_DENSITY, check_corpus, check_deep_export,
                         check_dialog_classic_heatmap, check_gimp_run, check_load_common,
                         check_progress_log, cmp_images, corpus_jobs, deep_sources, dir_chunks,
                         dirtool_heatmap, Display, env_path, exif_ascii_tags, Failure, header,
                         main, marks_of, meta_exif, metadata_source, png_with_metadata,
                         progress_files, run, scm_str, screenshot, shared_file, three_tensors,
                         write_malformed, xmp_creators)

# Script-fu helpers for GIMP 3 (each -b runs in a new script-fu process).
# dt-png exports with file-png-export keeping the colour of transparent
# pixels and writing no extra chunks.
PRELUDE = """
  (define (dt-drw img) (vector-ref (car (gimp-image-get-layers img)) 0))
  (define (dt-load path) (car (gimp-file-load RUN-NONINTERACTIVE path)))
  (define (dt-png img path)
    (file-png-export #:run-mode RUN-NONINTERACTIVE #:image img #:file path
                     #:interlaced FALSE #:bkgd FALSE #:offs FALSE #:phys FALSE #:time FALSE
                     #:save-transparent TRUE #:include-exif FALSE #:include-iptc FALSE
                     #:include-xmp FALSE #:include-color-profile FALSE
                     #:include-thumbnail FALSE #:include-comment FALSE))
  (define (dt-num n) (number->string n))
  (define (dt-mark . parts) (gimp-message (apply string-append "DT " parts)))
"""


class Gimp3:
    """One gimp-console-3.0 batch run with a temporary profile."""

    def __init__(self, gimp, plugin_dir, work, name="profile"):
        self.gimp = gimp
        self.plugin_dir = plugin_dir
        self.profile = os.path.join(work, name)
        os.makedirs(self.profile)
        rc = os.path.join(plugin_dir, "profile", "gimprc")
        if not os.path.exists(rc):
            raise Failure(f"{rc} is missing: the build did not configure the devenv profile")
        shutil.copyfile(rc, os.path.join(self.profile, "gimprc"))
        self.commands = ['(dt-mark "ready")']
        self.expected_errors = set()
        self.log_path = os.path.join(work, name + "-output.txt")

    def add(self, scm, fails=False):
        """A batch command; fails=True: it is meant to fail (its error is
        caught and marked, and the other commands still run)."""
        if fails:
            self.expected_errors.add(len(self.commands))
        self.commands.append(scm)

    def run(self, timeout=600, env_extra=None, during=None):
        # GIMP 3 stops at the first failing batch command and then stays
        # running: every command catches its errors (marking them), and
        # --quit ends GIMP after the last one.
        cmd = [self.gimp, "-i", "-n", "-f", "--quit",
               "--batch-interpreter=plug-in-script-fu-eval"]
        for i, c in enumerate(self.commands):
            cmd += ["-b", f'(begin {PRELUDE} (catch (dt-mark "error in command {i}") {c}))']
        env = dict(os.environ, GIMP3_DIRECTORY=self.profile, HOME=self.profile)
        env.pop("DISPLAY", None)
        env.update(env_extra or {})
        if "DISPLAY" in env:
            # The dialogs are driven by their English mnemonics.
            env.update(LC_ALL="C.UTF-8", LANGUAGE="C")
        with open(self.log_path, "w+", errors="replace") as log:
            t0 = time.time()
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
            try:
                if during:
                    during()
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as e:
                proc.kill()
                proc.wait()
                log.seek(0)
                raise Failure(f"GIMP 3 did not finish within {timeout} s:\n{log.read()[-4000:]}") from e
            except BaseException:
                proc.kill()
                proc.wait()
                log.seek(0)
                print(log.read()[-4000:])
                raise
            self.seconds = time.time() - t0
            log.seek(0)
            self.output = log.read()
        self.plugin_path = check_gimp_run(rc, self.output, "gimp-console-3.0", "GIMP 3",
                                          self.profile,
                                          os.path.join(self.plugin_dir, "file-dir", "file-dir"))
        print(f"GIMP 3 batch run: {len(self.commands)} commands in {self.seconds:.1f} s")
        failed = {int(m.group(1)) for m in re.finditer(r"DT error in command (\d+)", self.output)}
        unexpected = sorted(failed - self.expected_errors)
        if unexpected:
            raise Failure(f"batch commands {unexpected} failed:\n{self.output[-6000:]}")
        missing = sorted(self.expected_errors - failed)
        if missing:
            raise Failure(f"batch commands {missing} were meant to fail and did not")
        return self.output

    def marks(self):
        return marks_of(self.output)


def magick_like(convert, src, defines, ref, gimp_out):
    """Writes `src` with ImageMagick 7 and `defines` to `ref`, with the
    density GIMP wrote into `gimp_out` when it wrote one (pHYs: GIMP gives
    every image a resolution, its default for a PNG without pHYs, and the
    export carries it): the bytes GIMP's export must have."""
    cmd = [convert, src]
    for d in defines:
        cmd += ["-define", d]
    phys = dir_chunks(gimp_out).get("pHYs")
    if phys:
        x, y = struct.unpack("<II", phys)
        cmd += ["-units", "PixelsPerCentimeter", "-density", f"{x / 100}x{y / 100}"]
    run(cmd + [ref])


def expected_density(marks):
    """Pixels per metre of the resolution GIMP gave a PNG without pHYs (the
    mark "resolution X Y" of a batch command)."""
    m = [x for x in marks if x.startswith("resolution ")]
    if not m:
        raise Failure("GIMP did not report its default resolution")
    return [int(float(v) / 0.0254 + 0.5) for v in m[0].split()[1:3]]


# ---- load -----------------------------------------------------------------

LOAD_CASES = V1_LOAD_CASES + [
    # Version 2: grey+alpha, and 16-bit samples, open at their own channels
    # and precision (name, ..., depth).
    ("greya-8", 45, 33, 2, [], 8),
    ("greya-16", 45, 33, 2, [], 16),
    ("rgb-16", 70, 50, 3, [], 16),
    ("rgba-16", 64, 40, 4, [], 16),
]


def mode_load(a, work, checks):
    dirtool = env_path("DIRTOOL")
    g = Gimp3(a.gimp, a.plugin_dir, work)
    expect_types = {1: ("1", "2"), 2: ("1", "3"), 3: ("0", "0"), 4: ("0", "1")}
    for i, (name, w, h, c, opts, *depth) in enumerate(LOAD_CASES):
        src = os.path.join(work, name + ".png")
        run([a.testimg, "gen", src, str(w), str(h), str(c), str(1000 + i)] +
            [str(d) for d in depth])
        d = os.path.join(work, name + ".dir")
        run([dirtool, "encode", src, d] + opts)
        out = os.path.join(work, name + "-gimp.png")
        g.add(f"""
(let* ((img (dt-load {scm_str(d)})))
  (dt-png img {scm_str(out)})
  (dt-mark "load {name} " (dt-num (car (gimp-image-get-base-type img))) " "
           (dt-num (car (gimp-drawable-type (dt-drw img)))) " "
           (dt-num (car (gimp-image-get-precision img))))
  (gimp-image-delete img))""")

    rgba_dir = os.path.join(work, "rgba-default.dir")
    for tag, fname in MAGIC_NAMES:
        path = os.path.join(work, fname)
        shutil.copyfile(rgba_dir, path)
        g.add(f"""
(let* ((img (dt-load {scm_str(path)})))
  (dt-png img {scm_str(path + "-gimp.png")})
  (dt-mark "magic {tag}")
  (gimp-image-delete img))""")

    thumb = os.path.join(work, "thumb.png")
    g.add(f"""
(let* ((r (file-dir-load-thumb #:file {scm_str(rgba_dir)} #:thumb-size 128)))
  (dt-png (car r) {scm_str(thumb)})
  (dt-mark "thumb " (dt-num (cadr r)) "x" (dt-num (caddr r)) " type "
           (dt-num (cadddr r))))""")

    corrupt, expected = write_malformed(a, work)
    for name, path in corrupt.items():
        g.add(f"""(dt-mark "corrupt {name} result " (dt-num (length (gimp-file-load RUN-NONINTERACTIVE {scm_str(path)}))))""", fails=True)
        g.add(f"""(dt-mark "after {name} GIMP still runs " (dt-num (car (gimp-image-get-width (car (gimp-image-new 5 7 RGB))))))""")

    output = g.run()
    marks = g.marks()
    checks.ok(os.path.realpath(g.plugin_path).startswith(os.path.realpath(a.plugin_dir)),
              f"GIMP 3 runs the freshly built plug-in ({g.plugin_path})")
    for name, w, h, c, opts, *depth in LOAD_CASES:
        m = [x for x in marks if x.startswith(f"load {name} ")]
        if not checks.ok(len(m) == 1, f"GIMP 3 loaded {name}.dir"):
            continue
        parts = m[0].split()
        checks.ok((parts[2], parts[3]) == expect_types[c],
                  f"{name}: base type {parts[2]}, layer type {parts[3]} for {c} channel(s)")
        # GimpPrecision: 150 u8 non-linear, 250 u16 non-linear.
        want = "250" if depth and depth[0] == 16 else "150"
        checks.ok(parts[4] == want, f"{name}: precision {parts[4]} (want {want})")
        same, msg = cmp_images(a.testimg, os.path.join(work, name + ".png"),
                               os.path.join(work, name + "-gimp.png"))
        checks.ok(same, f"{name}: every pixel equals the source ({msg})")
    check_load_common(a, work, checks, marks, output, corrupt, expected, "GIMP 3")
    if checks.ok(os.path.exists(thumb), "the thumbnail was exported"):
        same, msg = cmp_images(a.testimg, os.path.join(work, "rgba-default.png"), thumb)
        checks.ok(same, f"the thumbnail's pixels are the image's ({msg})")


# ---- export ---------------------------------------------------------------

def mode_export(a, work, checks):
    dirtool = env_path("DIRTOOL")
    g = Gimp3(a.gimp, a.plugin_dir, work)
    srcs = {}
    for i, (name, w, h, c) in enumerate([("grey", 67, 45, 1), ("rgb", 150, 101, 3),
                                          ("rgba", 90, 130, 4)]):
        srcs[name] = os.path.join(work, f"src-{name}.png")
        run([a.testimg, "gen", srcs[name], str(w), str(h), str(c), str(77 + i)])

    # (case, source, output, expected header subset, ImageMagick defines)
    cases = []
    variants = [
        ("zstd-auto-ordered", '#:backend "zstd" #:filter "auto" #:layout "ordered" #:level 9',
         {"backend": "zstd", "layout": "ordered"}, []),
        ("none-none-interleaved", '#:backend "none" #:filter "none" #:layout "interleaved"',
         {"backend": "none", "filter": "none", "layout": "interleaved"},
         ["dir:backend=none", "dir:filter=none", "dir:layout=interleaved"]),
        # (the layout and the codes are version 1's: refused with version 2)
        ("zstd-sub-interleaved-l3",
         '#:version "1" #:filter "sub" #:layout "interleaved" #:level 3',
         {"backend": "zstd", "filter": "sub", "layout": "interleaved"},
         ["dir:version=1", "dir:filter=sub", "dir:layout=interleaved", "dir:level=3"]),
        ("preset-fast", '#:preset "fast"', {}, ["dir:preset=fast"]),
        ("preset-smallest-none", '#:preset "smallest" #:backend "none"', {"backend": "none"},
         ["dir:preset=smallest", "dir:backend=none"]),
        ("codes-smallest", '#:version "1" #:codes "smallest" #:level 3', {},
         ["dir:version=1", "dir:codes=smallest", "dir:level=3"]),
    ]
    for name, src in srcs.items():
        for tag, args, want, defines in variants:
            out = os.path.join(work, f"{name}-{tag}.dir")
            cases.append((f"{name}-{tag}", src, out, want, defines))
            g.add(f"""
(let* ((img (dt-load {scm_str(src)})))
  (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(out)} {args})
  (dt-mark "export {name}-{tag}")
  (gimp-image-delete img))""")
        out = os.path.join(work, f"{name}-generic.dir")
        cases.append((f"{name}-generic", src, out, {"backend": "zstd", "layout": "ordered"}, []))
        g.add(f"""
(let* ((img (dt-load {scm_str(src)})))
  (gimp-file-save RUN-NONINTERACTIVE img {scm_str(out)} -1)
  (dt-mark "export {name}-generic")
  (gimp-image-delete img))""")

    # Bad values are refused, and the existing file is left as it was.
    keep = os.path.join(work, "keep.dir")
    with open(keep, "wb") as f:
        f.write(b"old contents")
    # (A choice argument outside its choices is not refused by GIMP 3: it
    # validates it to the default.  An integer out of range is refused.)
    # An argument other than its default that has no effect given the others
    # is refused too, as dirtool refuses the option (dir_option_check).
    bad_args = (("level", "#:level 23"), ("level-zero", "#:level 0"),
                ("inapplicable-layout", '#:layout "interleaved"'),
                ("inapplicable-level", '#:backend "none" #:level 3'))
    for tag, args in bad_args:
        g.add(f"""
(let* ((img (dt-load {scm_str(srcs['rgb'])})))
  (dt-mark "bad {tag} result " (dt-num (length (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(keep)} {args})))))""", fails=True)
    missing = os.path.join(work, "no-such-dir", "x.dir")
    g.add(f"""
(let* ((img (dt-load {scm_str(srcs['rgb'])})))
  (dt-mark "missing dir result " (dt-num (length (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(missing)})))))""", fails=True)

    # Exporting through a symbolic link replaces its target and keeps the
    # link; the replaced file keeps its permissions (0600 here).
    link_real = os.path.join(work, "linked-real.dir")
    link = os.path.join(work, "rgb-link.dir")
    with open(link_real, "wb") as f:
        f.write(b"old contents")
    os.chmod(link_real, 0o600)
    os.symlink("linked-real.dir", link)
    cases.append(("rgb-link", srcs["rgb"], link, {"backend": "zstd"}, []))
    g.add(f"""
(let* ((img (dt-load {scm_str(srcs['rgb'])})))
  (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(link)})
  (dt-mark "export rgb-link"))""")

    # (Remembered values: GIMP 3 keeps those of interactive runs for
    # RUN-WITH-LAST-VALS; the interactive mode tests them.)

    # Conversions: grey+alpha and indexed drawables, a layered image with
    # offsets (merged by the export as for any single-layer format).  The
    # expected pixels are GIMP's own PNG export of the same image.
    conv = []
    ga = os.path.join(work, "greya.dir")
    conv.append(("greya", ga, os.path.join(work, "greya-expected.png")))
    g.add(f"""
(let* ((img (dt-load {scm_str(srcs['grey'])})) (drw (dt-drw img)))
  (gimp-layer-add-alpha drw)
  (gimp-image-select-rectangle img CHANNEL-OP-REPLACE 5 5 20 30)
  (gimp-drawable-edit-clear drw)
  (gimp-selection-none img)
  (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(ga)})
  (dt-png img {scm_str(conv[-1][2])})
  (dt-mark "export greya"))""")
    ix = os.path.join(work, "indexed.dir")
    conv.append(("indexed", ix, os.path.join(work, "indexed-expected.png")))
    g.add(f"""
(let* ((img (dt-load {scm_str(srcs['rgb'])})))
  (gimp-image-convert-indexed img CONVERT-DITHER-NONE CONVERT-PALETTE-GENERATE 200 FALSE FALSE "")
  (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(ix)})
  (dt-png img {scm_str(conv[-1][2])})
  (dt-mark "export indexed"))""")
    ly = os.path.join(work, "layers.dir")
    conv.append(("layers", ly, os.path.join(work, "layers-expected.png")))
    g.add(f"""
(let* ((img (dt-load {scm_str(srcs['rgb'])}))
       (top (car (gimp-layer-new img "top" 40 30 RGBA-IMAGE 60 LAYER-MODE-NORMAL))))
  (gimp-image-insert-layer img top 0 -1)
  (gimp-context-set-foreground '(200 30 90))
  (gimp-drawable-fill top FILL-FOREGROUND)
  (gimp-layer-set-offsets top 25 17)
  (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(ly)})
  (let* ((flat (car (gimp-image-duplicate img))))
    (gimp-image-merge-visible-layers flat CLIP-TO-IMAGE)
    (dt-png flat {scm_str(conv[-1][2])}))
  (dt-mark "export layers"))""")

    # 16 bits and grey+alpha: each image of DEEP_CASES opened from its PNG
    # (at 16-bit integer precision, GIMP's own PNG loader) and exported with
    # file-dir-export at its precision and channels, the profile included
    # where it has one.
    deep = deep_sources(a, work)
    for name, c, depth, prof, src in deep:
        out = os.path.join(work, name + "-gimp.dir")
        extra = "#:include-color-profile TRUE" if prof else ""
        g.add(f"""
(let* ((img (dt-load {scm_str(src)})))
  (dt-mark "deep {name} " (dt-num (car (gimp-image-get-precision img))) " "
           (dt-num (car (gimp-drawable-type (dt-drw img)))))
  (file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file {scm_str(out)} {extra})
  (dt-mark "export {name}")
  (gimp-image-delete img))""")

    g.add(f"""
(let* ((img (dt-load {scm_str(srcs['rgb'])})) (r (gimp-image-get-resolution img)))
  (dt-mark "resolution " (dt-num (car r)) " " (dt-num (cadr r))))""")

    output = g.run()
    marks = g.marks()
    density = expected_density(marks)

    for case, src, out, want, defines in cases:
        if not checks.ok(f"export {case}" in marks and os.path.exists(out), f"{case}: exported"):
            continue
        hdr = header(a.testimg, out)
        # A version-1 header names filter, layout and back end; a version-2
        # file's options are checked by its bytes (against magick, below).
        shown = {k: v for k, v in want.items() if k in hdr}
        checks.ok(hdr.get("version") in ("1", "2") and
                  all(hdr.get(k) == v for k, v in shown.items()),
                  f"{case}: header {hdr} has {shown}")
        png = out[:-4] + "-decoded.png"
        run([dirtool, "decode", out, png])
        same, msg = cmp_images(a.testimg, src, png)
        checks.ok(same, f"{case}: decodes pixel-exact ({msg})")
        phys = dir_chunks(out).get("pHYs")
        checks.ok(phys is None and hdr.get("version") == "1" or
                  phys is not None and list(struct.unpack("<II", phys)) == density,
                  f"{case}: the density is GIMP's resolution, {density} pixels per metre "
                  f"(none in version 1, the seed-pure mode)")
        if a.convert:
            ref = out[:-4] + "-magick.dir"
            magick_like(a.convert, src, defines, ref, out)
            with open(out, "rb") as f1, open(ref, "rb") as f2:
                checks.ok(f1.read() == f2.read(),
                          f"{case}: the same bytes as magick with {defines or 'the defaults'}")
    checks.ok(os.path.islink(link), "exporting through a symbolic link keeps the link")
    checks.ok(os.stat(link_real).st_mode & 0o777 == 0o600,
              f"the link's target keeps mode 600 ({os.stat(link_real).st_mode & 0o777:o})")
    for tag, _ in bad_args:
        checks.ok(not [x for x in marks if x.startswith(f"bad {tag} result")],
                  f"an invalid {tag} is refused")
    with open(keep, "rb") as f:
        checks.ok(f.read() == b"old contents", "a refused export leaves the existing file intact")
    checks.ok(not [x for x in marks if x.startswith("missing dir result")] and
              not os.path.exists(os.path.dirname(missing)),
              "an export into a missing directory fails and creates nothing")
    checks.ok(not [f for f in os.listdir(work) if f.startswith(".goutputstream")],
              "no temporary file left behind")
    for name, out, expected in conv:
        if not checks.ok(f"export {name}" in marks and os.path.exists(out),
                         f"{name}: exported"):
            continue
        want = ("2",) if name == "greya" else ("3", "4")
        checks.ok(header(a.testimg, out)["channels"] in want,
                  f"{name}: written with {' or '.join(want)} channels")
        same, msg = cmp_images(a.testimg, expected, out)
        checks.ok(same, f"{name}: the .dir holds GIMP's own flattened pixels ({msg})")
    # GimpPrecision: 150 u8 non-linear, 250 u16 non-linear; drawable types:
    # 0 RGB, 1 RGBA, 2 grey, 3 grey+alpha.
    dtypes = {1: "2", 2: "3", 3: "0", 4: "1"}
    for name, c, depth, prof, src in deep:
        m = [x for x in marks if x.startswith(f"deep {name} ")]
        want = f"deep {name} {250 if depth == 16 else 150} {dtypes[c]}"
        checks.ok(m == [want], f"{name}: opened from its PNG at precision and layer type {m} "
                               f"(want {want})")
        out = os.path.join(work, name + "-gimp.dir")
        checks.ok(f"export {name}" in marks, f"{name}: file-dir-export returned")
        check_deep_export(a, checks, name, src, out, c, depth, prof)
        if a.convert and os.path.exists(out):
            ref = out[:-4] + "-magick.dir"
            magick_like(a.convert, src, [], ref, out)
            with open(out, "rb") as f1, open(ref, "rb") as f2:
                checks.ok(f1.read() == f2.read(),
                          f"{name}: the same bytes as magick writes from the same PNG")


# ---- metadata -------------------------------------------------------------

# Run by python-fu-eval: opens each .dir of JOBS and writes what GIMP 3 has
# of it to OUT as JSON (script-fu cannot read an image's colour profile or
# GimpMetadata).
META_QUERY = """
import json
import gi
gi.require_version("GExiv2", "0.10")
from gi.repository import Gimp, Gio, GExiv2
result = {}
for name, path in JOBS:
    img = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
    md = img.get_metadata()
    prof = img.get_color_profile()
    par = lambda n: (bytes(b & 255 for b in img.get_parasite(n).get_data()).decode("utf-8")
                     if img.get_parasite(n) else None)
    result[name] = {
        "icc": bytes(b & 255 for b in prof.get_icc_profile()).hex() if prof else None,
        "comment": par("gimp-comment"),
        "resolution": list(img.get_resolution())[1:],
        "make": GExiv2.Metadata.try_get_tag_string(md, "Exif.Image.Make") if md else None,
        "model": GExiv2.Metadata.try_get_tag_string(md, "Exif.Image.Model") if md else None,
        "creator": GExiv2.Metadata.try_get_tag_multiple(md, "Xmp.dc.creator") if md else None,
        "exif_tags": list(GExiv2.Metadata.get_exif_tags(md) or []) if md else [],
        "has_xmp": bool(md) and GExiv2.Metadata.has_xmp(md),
        "options": par("GimpProcedureConfigRun-file-dir-export-last"),
    }
    img.delete()
json.dump(result, open(OUT, "w"))
"""


def python_batch(a, work, jobs, out):
    """Runs META_QUERY in gimp-console-3.0 (python-fu-eval) with a profile
    like Gimp3's; returns the JSON it wrote and GIMP's output."""
    profile = os.path.join(work, "py-profile")
    os.makedirs(profile)
    shutil.copyfile(os.path.join(a.plugin_dir, "profile", "gimprc"),
                    os.path.join(profile, "gimprc"))
    script = os.path.join(work, "query.py")
    with open(script, "w") as f:
        f.write(f"JOBS = {jobs!r}\nOUT = {out!r}\n" + META_QUERY)
    env = dict(os.environ, GIMP3_DIRECTORY=profile, HOME=profile)
    env.pop("DISPLAY", None)
    t0 = time.time()
    proc = subprocess.run([a.gimp, "-i", "-n", "-f", "--quit",
                           "--batch-interpreter=python-fu-eval",
                           "-b", f"exec(open({script!r}).read())"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", env=env, timeout=300)
    print(f"GIMP 3 python-fu run: {len(jobs)} files in {time.time() - t0:.1f} s")
    if proc.returncode != 0 or not os.path.exists(out) or "Traceback" in proc.stdout:
        raise Failure(f"the python-fu query failed ({proc.returncode}):\n{proc.stdout[-4000:]}")
    with open(out) as f:
        return json.load(f), proc.stdout


def mode_metadata(a, work, checks):
    dirtool = env_path("DIRTOOL")
    # full.dir: ICC profile, EXIF, XMP, comment and 300 dpi; plain.dir: none;
    # v1.dir: version 1, written with filter sub and the interleaved layout.
    icc, src, full = metadata_source(a, work)
    info = json.loads(run([dirtool, "info", "--json", full]).stdout)["metadata"]
    if (info["icc_bytes"], info["exif_bytes"], info["comment"], info["density"]) != \
            (len(icc), len(meta_exif()), META_COMMENT, [META_DENSITY] * 2) or not info["xmp_bytes"]:
        raise Failure(f"dirtool did not make the metadata file: {info}")
    plain_src = os.path.join(work, "plain-src.png")
    run([a.testimg, "gen", plain_src, "30", "20", "3", "42"])
    plain = os.path.join(work, "plain.dir")
    run([dirtool, "encode", plain_src, plain])
    v1_src = os.path.join(work, "v1-src.png")
    run([a.testimg, "gen", v1_src, "40", "30", "4", "43"])
    v1 = os.path.join(work, "v1.dir")
    run([dirtool, "encode", v1_src, v1, "--version", "1", "--filter", "sub", "--interleaved"])
    bad_png = os.path.join(work, "bad-exif.png")
    png_with_metadata(src, bad_png, exif=BROKEN_EXIF)
    bad = os.path.join(work, "bad-exif.dir")
    run([dirtool, "encode", bad_png, bad])

    # 1. Opening: what GIMP 3 has of each file.
    seen, py_output = python_batch(a, work, [("full", full), ("plain", plain), ("v1", v1),
                                             ("bad", bad)],
                                   os.path.join(work, "seen.json"))
    f = seen.get("full", {})
    checks.ok(f.get("icc") == icc.hex(), "full.dir: the image's colour profile is the file's, byte for byte")
    checks.ok(f.get("comment") == META_COMMENT + "\0", f"full.dir: the gimp-comment parasite is the file's comment ({f.get('comment')!r})")
    want_res = [META_DENSITY * 0.0254] * 2
    checks.ok(f.get("resolution") and all(abs(r - w) < 1e-9 for r, w in zip(f["resolution"], want_res)),
              f"full.dir: resolution {f.get('resolution')} is 11811 pixels per metre")
    checks.ok((f.get("make"), f.get("model")) == ("DirCam", "Model 7"),
              f"full.dir: EXIF Make and Model in the image's metadata ({f.get('make')!r}, {f.get('model')!r})")
    checks.ok(f.get("creator") == [META_CREATOR], f"full.dir: XMP dc:creator ({f.get('creator')})")
    checks.ok(f.get("options") == "(include-color-profile yes)\n(include-exif yes)\n"
              "(include-xmp yes)\n(include-comment yes)\n\0",
              f"full.dir (version 2): its metadata recorded as the export's last values, no "
              f"encoder options ({f.get('options')!r})")
    # GIMP keeps EXIF tags of its own on every image (size, precision,
    # resolution, colour space); the plug-in does not count them as EXIF.
    p = seen.get("plain", {})
    gimp_tags = {"Exif.Image.ImageWidth", "Exif.Image.ImageLength", "Exif.Image.BitsPerSample",
                 "Exif.Image.XResolution", "Exif.Image.YResolution",
                 "Exif.Image.ResolutionUnit", "Exif.Photo.ColorSpace"}
    checks.ok(p.get("icc") is None and p.get("comment") is None and not p.get("has_xmp")
              and set(p.get("exif_tags", ["?"])) <= gimp_tags and p.get("options") is None,
              f"plain.dir: no profile, comment, EXIF (beyond GIMP's own tags) or XMP ({p})")
    o = seen.get("v1", {}).get("options") or ""
    checks.ok('(filter "sub")' in o and '(layout "interleaved")' in o and '(backend "zstd")' in o,
              f"v1.dir: its back end, filter and layout recorded as the export's last values ({o!r})")
    # EXIF GIMP cannot read: the file opens, with the rest of its metadata.
    b = seen.get("bad", {})
    checks.ok("the EXIF of" in py_output and "is left out" in py_output,
              "bad-exif.dir: GIMP 3 says the EXIF it cannot read is left out")
    checks.ok(b.get("make") is None and b.get("creator") == [META_CREATOR] and
              b.get("icc") == icc.hex() and b.get("comment") == META_COMMENT + "\0",
              f"bad-exif.dir: opens with its profile, XMP and comment ({b.get('creator')}, "
              f"{b.get('comment')!r})")

    # 2. Exporting.
    g = Gimp3(a.gimp, a.plugin_dir, work)
    every = "#:include-exif TRUE #:include-xmp TRUE #:include-color-profile TRUE #:include-comment TRUE"
    outs = {}
    for tag, path, call in (
            ("all", full, f"(file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file OUT {every})"),
            ("default", full, "(file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file OUT)"),
            ("full-last", full, "(file-dir-export #:run-mode RUN-WITH-LAST-VALS #:image img #:file OUT)"),
            ("no-exif", full, "(file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file OUT "
                              "#:include-xmp TRUE #:include-color-profile TRUE)"),
            ("plain-all", plain, f"(file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file OUT {every})"),
            ("bad-exif", bad, f"(file-dir-export #:run-mode RUN-NONINTERACTIVE #:image img #:file OUT {every})"),
            ("plain-generic", plain, "(gimp-file-save RUN-NONINTERACTIVE img OUT -1)"),
            ("v1-last", v1, "(file-dir-export #:run-mode RUN-WITH-LAST-VALS #:image img #:file OUT)")):
        outs[tag] = os.path.join(work, f"out-{tag}.dir")
        g.add(f"""
(let* ((img (dt-load {scm_str(path)})))
  {call.replace("OUT", scm_str(outs[tag]))}
  (dt-mark "exported {tag}")
  (gimp-image-delete img))""")
    g.run()
    marks = g.marks()
    for tag, path in outs.items():
        checks.ok(f"exported {tag}" in marks and os.path.exists(path), f"{tag}: exported")
    if not all(os.path.exists(p) for p in outs.values()):
        return
    c = dir_chunks(outs["full-last"])
    checks.ok(sorted(c) == ["cOMt", "eXIf", "iCCP", "pHYs", "xMPt"],
              f"full-last (with last values: the file's own): all five chunks ({sorted(c)})")
    c = dir_chunks(outs["all"])
    checks.ok(c.get("iCCP") == icc, "all: iCCP is the file's profile, byte for byte")
    checks.ok(c.get("cOMt") == META_COMMENT.encode() + b"\0", f"all: cOMt is the comment ({c.get('cOMt')!r})")
    checks.ok(c.get("pHYs") == struct.pack("<II", META_DENSITY, META_DENSITY),
              f"all: pHYs is 11811 x 11811 pixels per metre ({c.get('pHYs')!r})")
    tags = exif_ascii_tags(c.get("eXIf"))
    checks.ok(tags.get(0x010F) == "DirCam" and tags.get(0x0110) == "Model 7",
              f"all: eXIf has Make and Model ({tags})")
    checks.ok(xmp_creators(c.get("xMPt")) == [META_CREATOR],
              f"all: xMPt has dc:creator {META_CREATOR!r} ({xmp_creators(c.get('xMPt'))})")
    c = dir_chunks(outs["default"])
    checks.ok(sorted(c) == ["pHYs"],
              f"default (a script that asks for no metadata): only the density ({sorted(c)})")
    c = dir_chunks(outs["no-exif"])
    checks.ok(sorted(c) == ["iCCP", "pHYs", "xMPt"] and c["iCCP"] == icc,
              f"include-xmp and include-color-profile only: iCCP, pHYs and xMPt ({sorted(c)})")
    # (With include-comment, GIMP 3 gives an image without a comment its
    # default one, Preferences > Image Import & Export, as for any format.)
    for tag, want in (("plain-all", {"cOMt": b"Created with GIMP\0"}), ("plain-generic", {})):
        c = dir_chunks(outs[tag])
        checks.ok(c == want and header(a.testimg, outs[tag]).get("version") == "2",
                  f"{tag}: a file without metadata exports none but GIMP's default comment "
                  f"when asked for one ({c})")
        same, msg = cmp_images(a.testimg, plain_src, outs[tag])
        checks.ok(same, f"{tag}: pixel-exact ({msg})")
    ref = os.path.join(work, "v1-ref.dir")
    run([dirtool, "encode", v1_src, ref, "--filter", "sub"])
    with open(outs["v1-last"], "rb") as f1, open(ref, "rb") as f2:
        checks.ok(f1.read() == f2.read(),
                  "exporting a version-1 file with last values keeps its filter sub (the bytes "
                  "of dirtool encode --filter sub: its interleaved layout is version 1's, and "
                  "this writes version 2)")
    same, msg = cmp_images(a.testimg, src, outs["all"])
    checks.ok(same, f"all: pixel-exact ({msg})")
    same, msg = cmp_images(a.testimg, src, outs["bad-exif"])
    checks.ok(same and xmp_creators(dir_chunks(outs["bad-exif"]).get("xMPt")) == [META_CREATOR],
              f"bad-exif: exports pixel-exact, with its XMP ({msg})")


# ---- heatmap --------------------------------------------------------------

def mode_heatmap(a, work, checks):
    """plug-in-dir-array-heatmap: dirtool array heatmap's drawing, a layer
    per tensor; the plain grid; refusals."""
    dirtool = env_path("DIRTOOL")
    node = shared_file("imgarrays-reference/small/node.png")
    raw = json.load(open(shared_file("imgarrays-reference/small/rawData.json")))
    samples = os.path.join(env_path("DIR_SOURCE_ROOT"), "samples")
    g = Gimp3(a.gimp, a.plugin_dir, work)

    def heat(tag, path, args="", layer_pngs=()):
        """The heatmap of the file with named arguments; exports the
        flattened result, and the layers named in layer_pngs (index -> path)
        each as an image of its own."""
        out = os.path.join(work, f"heat-{tag}.png")
        exports = "".join(f"""
  (let* ((l (vector-ref ls {i}))
         (one (car (gimp-image-new (car (gimp-drawable-get-width l))
                                   (car (gimp-drawable-get-height l)) RGB)))
         (cp (car (gimp-layer-new-from-drawable l one))))
    (gimp-image-insert-layer one cp 0 -1)
    (gimp-layer-set-offsets cp 0 0)
    (dt-png one {scm_str(p)}))""" for i, p in layer_pngs)
        g.add(f"""
(let* ((img (dt-load {scm_str(path)}))
       (r (plug-in-dir-array-heatmap #:run-mode RUN-NONINTERACTIVE #:image img
            #:drawables (vector (dt-drw img)) {args}))
       (h (car r))
       (ls (car (gimp-image-get-layers h))))
  (dt-mark "heat {tag} " (dt-num (car (gimp-image-get-width h))) "x"
           (dt-num (car (gimp-image-get-height h))) " count=" (dt-num (cadr r))
           " layers=" (dt-num (vector-length ls)) " returned=" (dt-num (list-ref r 5)))
  (let loop ((i 0))
    (if (< i (vector-length ls))
        (let ((l (vector-ref ls i)))
          (dt-mark "layer {tag} " (dt-num i) " " (car (gimp-item-get-name l))
                   " at " (dt-num (cadr (gimp-drawable-get-offsets l))))
          (loop (+ i 1)))))
  (dt-mark "comment {tag} " (caddr (car (gimp-image-get-parasite h "gimp-comment")))){exports}
  (gimp-image-flatten h)
  (dt-png h {scm_str(out)}))""")
        return out

    def mark(prefix):
        m = [x for x in marks if x.startswith(prefix)]
        return m[0] if len(m) == 1 else None

    # 1. Three named tensors, and the options.
    tpng, w1png = three_tensors(work)
    layer_w1 = os.path.join(work, "layer-W1.png")
    out_t = heat("tensors", tpng, layer_pngs=((0, layer_w1),))
    out_o = heat("options", tpng, "#:zoom 3 #:percentile 90.0 #:tile-rows 4 #:tile-cols 7")
    out_s = heat("scaled", tpng, "#:scale 0.25")
    # 2. The classic reference image.
    out_n = heat("node", node, "#:classic TRUE #:capacity 1 #:ldeczeroes TRUE")
    # 3. The plain grid.
    out_sq = heat("plain", node, "#:classic TRUE #:capacity 1 #:ldeczeroes TRUE #:plain TRUE")
    out_pick = heat("pick", node,
                    "#:classic TRUE #:capacity 1 #:ldeczeroes TRUE #:rows 100 #:cols 200")
    with open(os.path.join(samples, "weights-make.sh")) as f:
        sm = re.search(r"--shape\s+(\d+)x(\d+)\s+--scale\s+([0-9.]+)", f.read())
    if not sm:
        raise Failure("samples/weights-make.sh no longer says --shape RxC --scale S")
    s_rows, s_cols, s_scale = sm.groups()
    out_sample = heat("sample", os.path.join(samples, "weights-784-100-10.dir"),
                      f"#:rows {s_rows} #:cols {s_cols} #:scale {s_scale}")
    # 4. Refused: an image holding no array, a classic image read as
    #    self-describing, tiles without columns.
    for tag, path, args in (("photo", os.path.join(samples, "gradient.png"), ""),
                            ("classic", node, ""),
                            ("badtiles", tpng, "#:tile-rows 4")):
        g.add(f"""
(let* ((img (dt-load {scm_str(path)})))
  (dt-mark "refused {tag} " (dt-num (length (plug-in-dir-array-heatmap #:run-mode RUN-NONINTERACTIVE
    #:image img #:drawables (vector (dt-drw img)) {args})))))""", fails=True)

    output = g.run()
    marks = g.marks()

    # 1.
    ref_t, rep_t = dirtool_heatmap(work, tpng)
    m = mark("heat tensors ")
    checks.ok(m is not None and " count=569 layers=4 returned=3" in m,
              f"three tensors: 569 values, three tensor layers and a background ({m})")
    got = [x.split(" ", 3)[3] for x in marks if x.startswith("layer tensors ")]
    checks.ok(got == ["W1 (20, 28) float64 at 0", "b1 (3,) float64 at 392",
                      "W2 (3, 2) float64 at 624", "Background at 0"],
              f"each layer named after its tensor (name, shape, dtype), at its place ({got})")
    same, msg = cmp_images(a.testimg, ref_t, out_t) if os.path.exists(out_t) else (False, "missing")
    checks.ok(same, f"the flattened layers are dirtool array heatmap's picture ({msg})")
    ref_w1, _ = dirtool_heatmap(work, w1png)
    same, msg = (cmp_images(a.testimg, ref_w1, layer_w1) if os.path.exists(layer_w1)
                 else (False, "missing"))
    checks.ok(same, f"layer W1 alone is dirtool's heatmap of W1 ({msg})")
    missing = [line for line in rep_t if line not in output]
    checks.ok(rep_t and not missing,
              f"the image comment holds dirtool's statistics, a line per tensor ({missing})")
    ref_o, _ = dirtool_heatmap(work, tpng, "--zoom", "3", "--percentile", "90", "--tiles", "4x7")
    same, msg = cmp_images(a.testimg, ref_o, out_o) if os.path.exists(out_o) else (False, "missing")
    checks.ok(same, f"zoom 3, percentile 90, tiles 4x7: dirtool's picture ({msg})")
    ref_s, _ = dirtool_heatmap(work, tpng, "--scale", "0.25")
    same, msg = cmp_images(a.testimg, ref_s, out_s) if os.path.exists(out_s) else (False, "missing")
    checks.ok(same, f"scale 0.25: dirtool's picture ({msg})")

    # 2.
    n = len(raw)
    ref_n, rep_n = dirtool_heatmap(work, node, "--classic", "--capacity", "1")
    m = mark("heat node ")
    checks.ok(m is not None and f" count={n} layers=2 returned=1" in m,
              f"node.png (classic): {n} values, one tensor layer and the background ({m})")
    got = [x.split(" ", 3)[3] for x in marks if x.startswith("layer node ")]
    checks.ok(got == [f"(unnamed) ({n},) float64 at 0", "Background at 0"],
              f"the classic image's one tensor is unnamed ({got})")
    same, msg = cmp_images(a.testimg, ref_n, out_n) if os.path.exists(out_n) else (False, "missing")
    checks.ok(same, f"node.png: dirtool's picture ({msg})")

    # 3.
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    m = mark("heat plain ")
    checks.ok(m is not None and m.startswith(f"heat plain {cols}x{rows} count={n} layers=1 "
                                             f"returned=1"),
              f"plain: near-square {cols}x{rows}, one layer ({m})")
    ref, rep = dirtool_heatmap(work, node, "--plain", "--classic", "--capacity", "1")
    same, msg = cmp_images(a.testimg, ref, out_sq) if os.path.exists(out_sq) else (False, "missing")
    checks.ok(same, f"plain: the same pixels as dirtool array heatmap --plain ({msg})")
    checks.ok(f"DT comment plain {rep[0]}" in output,
              f"plain: the comment is dirtool's statistics ({rep[0]})")
    m = mark("heat pick ")
    checks.ok(m is not None and m.startswith("heat pick 200x100 "),
              f"rows 100, cols 200: the plain grid, 200x100 ({m})")
    ref, _ = dirtool_heatmap(work, node, "--classic", "--capacity", "1", "--shape", "100x200")
    same, msg = cmp_images(a.testimg, ref, out_pick) if os.path.exists(out_pick) else (False, "missing")
    checks.ok(same, f"100x200: dirtool --shape 100x200 ({msg})")
    m = mark("heat sample ")
    checks.ok(m is not None and m.startswith(f"heat sample {s_cols}x{s_rows} count=79510 "),
              f"samples/weights-784-100-10.dir: 79510 values in {s_rows} rows of {s_cols} ({m})")
    same, msg = (cmp_images(a.testimg, os.path.join(samples, "weights-784-100-10-heatmap.png"),
                            out_sample) if os.path.exists(out_sample) else (False, "missing"))
    checks.ok(same, f"the same pixels as samples/weights-784-100-10-heatmap.png ({msg})")

    # 4.
    checks.ok(not [x for x in marks if x.startswith("refused")], "no refused call returned")
    checks.ok("Could not read the layer as a numeric array: no self-describing array header"
              in output, "an image holding no array (and a classic image without classic): "
                         "the core's message")
    checks.ok("tile-rows and tile-cols are both 0 (no tiles) or both 1 to 4096" in output,
              "tile-rows without tile-cols is refused with a message")


# ---- corpus ---------------------------------------------------------------

def mode_corpus(a, work, checks):
    cache, jobs = corpus_jobs(work, checks)
    g = Gimp3(a.gimp, a.plugin_dir, work)
    body = "".join(f"""
  (catch FALSE (let* ((img (dt-load {scm_str(d)})))
    (dt-png img {scm_str(out)}) (dt-mark "corpus {i}") (gimp-image-delete img)))"""
                   for i, (src, d, out) in enumerate(jobs))
    g.add("(begin" + body + ")")
    g.run(timeout=1200)
    exact = check_corpus(a, checks, cache, jobs, g.marks(), "GIMP 3")
    print(f"corpus: {exact} of {len(jobs)} images pixel-exact through GIMP 3 "
          f"(load and PNG export of all in one batch run: {g.seconds:.1f} s)")


# ---- bombs ----------------------------------------------------------------

def mode_bomb(a, work, checks):
    import hostile
    g = Gimp3(a.gimp, a.plugin_dir, work)
    bombs = hostile.bomb_files(work)
    for name, path in bombs.items():
        g.add(f"""(dt-mark "bomb {name} result " (dt-num (length (gimp-file-load RUN-NONINTERACTIVE {scm_str(path)}))))""", fails=True)
        g.add(f"""(dt-mark "after {name} GIMP still runs " (dt-num (car (gimp-image-get-width (car (gimp-image-new 5 7 RGB))))))""")
    output = g.run()
    marks = g.marks()
    for name, path in bombs.items():
        checks.ok(not [x for x in marks if x.startswith(f"bomb {name} result")],
                  f"bomb {name} ({os.path.getsize(path)} bytes): the load fails")
        checks.ok(f"after {name} GIMP still runs 5" in marks, f"bomb {name}: GIMP 3 carries on")
    n = output.count("image 65535x65535 has 4294836225 pixels, over the limit of")
    checks.ok(n >= len(bombs),
              "every bomb is refused with the core's size-limit message")


# ---- interactive ----------------------------------------------------------

def mode_interactive(a, work, checks):
    dirtool = env_path("DIRTOOL")
    node = shared_file("imgarrays-reference/small/node.png")
    src = os.path.join(work, "src.png")
    run([a.testimg, "gen", src, "150", "101", "3", "5"])
    ia = os.path.join(work, "dialog.dir")
    ib = os.path.join(work, "lastvals.dir")
    ic = os.path.join(work, "preset.dir")
    heat_png = os.path.join(work, "heat.png")
    net_png = os.path.join(work, "net-heat.png")
    # the sample network as four named tensors (samples/weights-gen --tensors)
    net_json = os.path.join(work, "net.json")
    with open(net_json, "w") as f:
        f.write(run([env_path("WEIGHTS_GEN"), "--tensors"]).stdout)
    net = os.path.join(work, "net.dir")
    run([dirtool, "array", "pack", net_json, net])
    d = Display(work)
    try:
        g = Gimp3(a.gimp, a.plugin_dir, work)
        g.add(f"""
(let* ((img (dt-load {scm_str(src)})))
  (file-dir-export #:run-mode RUN-INTERACTIVE #:image img #:file {scm_str(ia)})
  (dt-mark "dialog export done")
  (file-dir-export #:run-mode RUN-WITH-LAST-VALS #:image img #:file {scm_str(ib)})
  (dt-mark "last values export done")
  (file-dir-export #:run-mode RUN-INTERACTIVE #:image img #:file {scm_str(ic)})
  (dt-mark "preset export done"))""")
        for path, out, tag in ((net, net_png, "net"), (node, heat_png, "node")):
            g.add(f"""
(let* ((img (dt-load {scm_str(path)}))
       (r (plug-in-dir-array-heatmap #:run-mode RUN-INTERACTIVE #:image img
            #:drawables (vector (dt-drw img))))
       (h (car r)))
  (dt-mark "dialog heatmap {tag} count=" (dt-num (cadr r)) " layers="
           (dt-num (vector-length (car (gimp-image-get-layers h)))))
  (gimp-image-flatten h)
  (dt-png h {scm_str(out)}))""")

        def drive():
            # Export dialog: back end zstd -> none (Up), filter auto -> none
            # (Up, Up: _Filter), which makes the layout sensitive (version
            # 1's: the seed-pure mode), layout ordered -> interleaved (Down:
            # La_yout; the plug-in's labels leave GIMP's own mnemonics
            # free), then the Export button.  GIMP's own
            # "Save _Exif" box shares the button's mnemonic: alt+e then
            # only moves the focus, to the button first (it is older), and
            # Return presses it.
            w = d.window("Export Image as")
            screenshot(d, w, "gimp3-export-dialog.png")
            d.keys("Export Image as", "alt+b", "Up", "alt+f", "Up", "Up", "alt+y", "Down")
            screenshot(d, w, "gimp3-export-dialog-changed.png")
            d.keys("Export Image as", "alt+e", "Return")
            d.wait_gone(w, "Export Image as")
            # Again, choosing the preset smallest (default -> smallest):
            # the dialog sets every other option to the preset's values
            # (Prese_t: P is GIMP's "Save color _profile", R its Reset, S
            # its Save Settings).
            w = d.window("Export Image as")
            d.keys("Export Image as", "alt+t", "Down")
            screenshot(d, w, "gimp3-export-dialog-preset.png")
            d.keys("Export Image as", "alt+e", "Return")
            d.wait_gone(w, "Export Image as")
            # Heatmap of the sample network: the dialog lists its tensors;
            # OK with the defaults.
            w = d.window("Numeric array heatmap")
            screenshot(d, w, "gimp3-heatmap-dialog.png")
            d.keys("Numeric array heatmap", "alt+o")
            d.wait_gone(w, "Numeric array heatmap")
            # Heatmap of a classic image: the dialog asks for its
            # configuration too (defaults: capacity 1, lDecZeroes); zoom 2.
            w = d.window("Numeric array heatmap")
            screenshot(d, w, "gimp3-heatmap-classic-dialog.png")
            d.keys("Numeric array heatmap", "alt+z", "ctrl+a", "2", "Tab", "alt+o")

        g.run(timeout=180, env_extra={"DISPLAY": d.display}, during=drive)
    finally:
        d.close()
    marks = g.marks()
    checks.ok("dialog export done" in marks and "last values export done" in marks,
              "the export dialog ran, then an export with last values")
    for path, what in ((ia, "exported from the dialog"), (ib, "exported with the remembered values")):
        if not checks.ok(os.path.exists(path), what):
            continue
        ref = os.path.join(work, "none-interleaved-magick.dir")
        if a.convert:
            magick_like(a.convert, src,
                        ["dir:backend=none", "dir:filter=none", "dir:layout=interleaved"], ref,
                        path)
            with open(path, "rb") as f1, open(ref, "rb") as f2:
                checks.ok(f1.read() == f2.read(),
                          f"{what}: back end none, filter none, interleaved (the bytes of "
                          f"magick with them)")
        else:
            hdr = header(a.testimg, path)
            checks.ok(hdr.get("backend") == "none" and hdr.get("filter") == "none" and
                      hdr.get("layout") == "interleaved",
                      f"{what}: back end none, filter none, interleaved ({hdr})")
        png = path[:-4] + "-decoded.png"
        run([dirtool, "decode", path, png])
        same, msg = cmp_images(a.testimg, src, png)
        checks.ok(same, f"{what}: pixel-exact ({msg})")
    if checks.ok("preset export done" in marks and os.path.exists(ic),
                 "exported from the dialog after choosing the preset smallest"):
        if a.convert:
            ref = os.path.join(work, "preset-magick.dir")
            magick_like(a.convert, src, ["dir:preset=smallest"], ref, ic)
            with open(ic, "rb") as f1, open(ref, "rb") as f2:
                checks.ok(f1.read() == f2.read(),
                          "choosing the preset in the dialog set every option to its values "
                          "(the bytes of magick -define dir:preset=smallest)")
        else:
            hdr = header(a.testimg, ic)
            checks.ok(hdr.get("backend") == "zstd" and hdr.get("layout") == "ordered",
                      f"the preset replaced the remembered none/interleaved ({hdr})")
    shots = os.environ.get("DIR_SCREENSHOT_DIR")
    if shots:
        # the result in the real GIMP 3 window: the layers and the Layers
        # dock (docs/img/gimp-heatmap.sh, as for GIMP 2.10)
        run(["sh", os.path.join(env_path("DIR_SOURCE_ROOT"), "docs", "img", "gimp-heatmap.sh"),
             env_path("DIR_BUILD_ROOT"), os.path.join(shots, "gimp3-heatmap.png"), "3"])
    checks.ok("dialog heatmap net count=79510 layers=5" in marks,
              "the sample network from the dialog: four tensor layers and the background")
    if checks.ok(os.path.exists(net_png), "the network's heatmap was drawn"):
        ref = os.path.join(work, "dirtool-net.png")
        run([dirtool, "array", "heatmap", net, ref])
        same, msg = cmp_images(a.testimg, ref, net_png)
        checks.ok(same, f"the network's heatmap from the dialog equals dirtool's ({msg})")
    checks.ok("dialog heatmap node count=19885 layers=2" in marks,
              "the classic image from the dialog: 19885 values, one tensor layer")
    check_dialog_classic_heatmap(a, work, checks, node, heat_png)


# ---- progress ---------------------------------------------------------------

def mode_progress(a, work, checks):
    """The progress the plug-in reports while GIMP 3 opens and exports a
    .dir: every call it makes to libgimp's progress functions, recorded by
    tests/gimp/progress-shim.c, preloaded into the plug-in through GIMP's
    own plug-in debug wrapper.  (GIMP 3.0.4 refuses another plug-in's
    progress vtable, which the GIMP 2.10 test uses to watch what GIMP
    receives.)"""
    src, dst, log = progress_files(a, work)
    shim = os.path.join(a.probe_dir, "libdir-progress-shim.so")
    if not os.path.exists(shim):
        raise Failure(f"{shim} is missing: the build did not make the progress shim")
    g = Gimp3(a.gimp, a.plugin_dir, work)
    g.add(f"""(let* ((img (dt-load {scm_str(src)})))
  (gimp-file-save RUN-NONINTERACTIVE img {scm_str(dst)} -1)
  (dt-mark "progress load and export done"))""")
    g.run(env_extra={"GIMP_PLUGIN_DEBUG_WRAP": "file-dir,run",
                     "GIMP_PLUGIN_DEBUG_WRAPPER":
                         f"env LD_PRELOAD={shim} DIR_PROGRESS_LOG={log}"})
    checks.ok("progress load and export done" in g.marks(),
              "GIMP 3 opened the .dir and exported it with the wrapped plug-in")
    check_progress_log(checks, "GIMP 3", log, "big.dir", "again.dir", probe=False)
    same, why = cmp_images(a.testimg, src, dst)
    checks.ok(same, f"GIMP 3: the export equals the file it opened ({why})")


if __name__ == "__main__":
    sys.exit(main({"load": mode_load, "export": mode_export, "metadata": mode_metadata,
                   "heatmap": mode_heatmap, "corpus": mode_corpus, "bomb": mode_bomb,
                   "progress": mode_progress, "interactive": mode_interactive}, "dir-gimp3"))
