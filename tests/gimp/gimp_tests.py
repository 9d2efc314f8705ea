#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of the GIMP plug-in with the real gimp-console-2.10 in batch mode.

Usage: gimp_tests.py MODE --gimp GIMP --testimg HELPER --plugin-dir DIR
                     [--convert CONVERT]

MODE is one of:
  load     .dir files written by dirtool (grey, RGB, RGBA; every option)
           open pixel-exact, by extension and by content (magic); the
           thumbnail procedure works; corrupt files give GIMP the core's
           message and GIMP carries on
  metadata a .dir with ICC profile, EXIF, XMP, comment and density opens
           with each of them, and file-dir-save writes them back; a .dir
           without metadata exports none
  export   file-dir-save non-interactively with every option, through
           gimp-file-save (defaults), with last values and the image's
           stored options; grey+alpha, indexed and layered images; the
           files decode pixel-exact with dirtool (and ImageMagick's
           convert when the coder is built)
  heatmap  Filters > Generic > Numeric array heatmap: a multi-tensor file
           gives a layer per tensor (name, shape, dtype), the flattened
           image and each layer equal to dirtool array heatmap's pictures,
           with zoom, tiles, percentile and scale; the classic reference
           weight image; the plain grid; the earlier
           plug-in-dir-tensor-heatmap; refusals with their messages
  corpus   every image of ../shared/corpus/public.tsv, written as .dir by
           dirtool, opens pixel-exact in GIMP
  progress the progress of a load and an export as GIMP hands it to another
           plug-in (tests/gimp/progress-probe.c, --probe-dir its folder),
           with gimp-2.10's windows on a private Xvfb display
  interactive
           the export dialog and the heatmap dialog on a private Xvfb
           display, driven with xdotool key presses (skipped without Xvfb
           or xdotool, failed under CI=true)

Each mode starts GIMP once (a batch run costs about 4 s) with a temporary
profile (GIMP2_DIRECTORY) whose plug-in-path puts the freshly built plug-in
first.  Exit 0 pass, 1 fail, 77 skip (never under CI=true).
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Checks, Failure, plugin_sanitizer_report and scm_str are also what
# tests/fuzz/hostile.py takes from here, with Gimp.
from gimp_common import (BROKEN_EXIF, LOAD_CASES, MAGIC_NAMES, META_COMMENT, META_CREATOR,  # noqa: E402,F401
                         META_DENSITY, check_corpus, check_deep_export,
                         check_dialog_classic_heatmap, check_gimp_run, check_load_common,
                         check_progress_log, Checks, cmp_images, core_message, corpus_jobs,
                         deep_sources, dir_chunk, dir_chunks, dirtool_heatmap, Display,
                         encoder_options, env_path, exif_ascii_tags, Failure, header, main,
                         marks_of, metadata_source, option_words, plugin_sanitizer_report,
                         png_with_density, png_with_metadata, probe_plugin_path, progress_files,
                         run, same_bytes, scm_str, screenshot, shared_file, three_tensors,
                         write_malformed, xmp_creators)


# Script-fu helpers, defined in every batch command (each -b runs in a new
# script-fu process, so nothing carries over between them).  dt-png exports
# with file-png-save2 keeping the colour of transparent pixels (svtrans 1)
# and writing no extra chunks.
PRELUDE = """
  (define (dt-drw img) (car (gimp-image-get-active-drawable img)))
  (define (dt-png img path)
    (file-png-save2 RUN-NONINTERACTIVE img (dt-drw img) path path
                    0 1 0 0 0 0 0 0 1))
  (define (dt-num n) (number->string n))
  (define (dt-mark . parts) (gimp-message (apply string-append "DT " parts)))
  (define (dt-parasite img name)
    (let ((p (car (gimp-image-get-parasite img name))))
      (if (null? p) "none" (caddr p))))
"""


class Gimp:
    """One gimp-console-2.10 batch run with a temporary profile."""

    def __init__(self, gimp, plugin_dir, work):
        self.gimp = gimp
        self.plugin_dir = plugin_dir
        self.profile = os.path.join(work, "profile")
        os.makedirs(self.profile)
        # GIMP complains about missing writable data folders otherwise.
        for sub in ("brushes", "dynamics", "gradients", "palettes", "patterns",
                    "tool-presets", "mypaint-brushes", "fonts"):
            os.makedirs(os.path.join(self.profile, sub))
        # The gimprc `meson devenv` uses (gimp-plugin/profile), so that the
        # tests also check that it makes GIMP find the fresh plug-in.
        devenv_rc = os.path.join(plugin_dir, "profile", "gimprc")
        if not os.path.exists(devenv_rc):
            raise Failure(f"{devenv_rc} is missing: the build did not configure the "
                          f"devenv profile")
        shutil.copyfile(devenv_rc, os.path.join(self.profile, "gimprc"))
        self.commands = ['(dt-mark "ready")']
        self.gui = False

    def add(self, scm):
        self.commands.append(scm)

    def start(self, display=None):
        """Starts GIMP in the background; with a display, plug-in dialogs
        can open on it (gimp-console itself has no window)."""
        # gui: the program with its windows (gimp-2.10, on `display`), where
        # plug-ins' progress reaches GIMP; gimp-console drops it
        cmd = [self.gimp, "-s" if self.gui else "-i", "-d", "-f",
               "--batch-interpreter=plug-in-script-fu-eval"]
        for c in self.commands:
            cmd += ["-b", f"(begin {PRELUDE} {c})"]
        cmd += ["-b", "(gimp-quit 0)"]
        env = dict(os.environ, GIMP2_DIRECTORY=self.profile)
        env.pop("DISPLAY", None)
        if display:
            env["DISPLAY"] = display
            # The dialogs are driven by their English mnemonics.
            env["LC_ALL"] = "C.UTF-8"
            env["LANGUAGE"] = "C"
        self.log = open(os.path.join(self.profile, "..", "gimp-output.txt"), "w+",
                        errors="replace")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def run(self, timeout=600):
        self.start()
        return self.wait(timeout)

    def wait(self, timeout=600):
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"GIMP did not finish within {timeout} s") from e
        self.log.seek(0)
        self.output = self.log.read()
        self.log.close()
        self.plugin_path = check_gimp_run(rc, self.output, "gimp-console", "GIMP",
                                          self.profile,
                                          os.path.join(self.plugin_dir, "file-dir"))
        return self.output

    def dump(self):
        print("---- GIMP output ----")
        print(self.output)
        print("---- end of GIMP output ----")

    def marks(self):
        return marks_of(self.output)


# ---- load -----------------------------------------------------------------

def mode_load(a, work, checks):
    dirtool = env_path("DIRTOOL")
    g = Gimp(a.gimp, a.plugin_dir, work)
    expect_types = {1: ("1", "2"), 3: ("0", "0"), 4: ("0", "1")}  # base, drawable type
    for i, (name, w, h, c, opts) in enumerate(LOAD_CASES):
        src = os.path.join(work, name + ".png")
        run([a.testimg, "gen", src, str(w), str(h), str(c), str(1000 + i)])
        d = os.path.join(work, name + ".dir")
        run([dirtool, "encode", src, d] + opts)
        out = os.path.join(work, name + "-gimp.png")
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(d)} {scm_str(d)}))))
  (dt-png img {scm_str(out)})
  (dt-mark "load {name} " (dt-num (car (gimp-image-base-type img))) " "
           (dt-num (car (gimp-drawable-type (dt-drw img)))) " "
           (dt-parasite img "dir-save-options"))
  (gimp-image-delete img))""")

    # Recognised by content: a .dir file without extension, and one named
    # .png (GIMP tries magics before the extensions of formats with magic).
    rgba_dir = os.path.join(work, "rgba-default.dir")
    for tag, fname in MAGIC_NAMES:
        path = os.path.join(work, fname)
        shutil.copyfile(rgba_dir, path)
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(path)} {scm_str(path)}))))
  (dt-png img {scm_str(path + "-gimp.png")})
  (dt-mark "magic {tag}")
  (gimp-image-delete img))""")

    # The thumbnail procedure.
    g.add(f"""
(let* ((r (file-dir-load-thumb {scm_str(rgba_dir)} 128)))
  (dt-mark "thumb " (dt-num (cadr r)) "x" (dt-num (caddr r)) " type "
           (dt-num (cadddr r)))
  (gimp-image-delete (car r)))""")

    # Malformed files, one of each class the core reports.
    corrupt, expected_msgs = write_malformed(a, work)
    for name, path in corrupt.items():
        g.add(f"""(dt-mark "corrupt {name} result "
  (dt-num (length (gimp-file-load RUN-NONINTERACTIVE {scm_str(path)} {scm_str(path)}))))""")
        g.add(f"""(dt-mark "after {name} GIMP still runs "
  (dt-num (car (gimp-image-width (car (gimp-image-new 5 7 RGB))))))""")

    # Version 2: 16-bit and grey+alpha open at their precision and export
    # at it again; the ICC profile becomes the image's colour profile (the
    # "icc-profile" parasite) and goes back into the exported file.
    deep = deep_sources(a, work)
    for name, c, depth, prof, src in deep:
        d = os.path.join(work, name + ".dir")
        run([dirtool, "encode", src, d])
        out = os.path.join(work, name + "-gimp.dir")
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(d)} {scm_str(d)}))))
  (dt-mark "deep {name} " (dt-num (car (gimp-image-get-precision img))) " "
           (dt-num (car (gimp-drawable-type (dt-drw img)))) " "
           (dt-num (car (gimp-image-get-color-profile img))))
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)} "" "" "" 0)
  (gimp-image-delete img))""")

    output = g.run()
    marks = g.marks()
    print(f"plug-in used: {g.plugin_path}")
    checks.ok(os.path.realpath(g.plugin_path).startswith(os.path.realpath(a.plugin_dir)),
              f"GIMP runs the freshly built plug-in ({g.plugin_path})")

    for name, w, h, c, opts in LOAD_CASES:
        m = [x for x in marks if x.startswith(f"load {name} ")]
        if not checks.ok(len(m) == 1, f"GIMP loaded {name}.dir"):
            continue
        parts = m[0].split(" ", 4)
        base, dtype = (parts[2], parts[3]) if len(parts) == 5 else ("", "")
        checks.ok((base, dtype) == expect_types[c],
                  f"{name}: image base type {base}, layer type {dtype} for {c} channel(s)")
        hdr = header(a.testimg, os.path.join(work, name + ".dir"))
        # a version-1 file records its options, version 2 none: every
        # option of the table but the preset, at its default unless the
        # file has it
        want = {k: v[1] for k, v in encoder_options(dirtool).items() if k != "preset"}
        if hdr["version"] == "1":
            want.update(backend=hdr["backend"], filter=hdr["filter"], layout=hdr["layout"])
        got = option_words(parts[4]) if len(parts) == 5 else {}
        checks.ok(got == want, f"{name}: parasite records {want} ({m[0]})")
        same, msg = cmp_images(a.testimg, os.path.join(work, name + ".png"),
                               os.path.join(work, name + "-gimp.png"))
        checks.ok(same, f"{name}: every pixel equals the source ({msg})")

    check_load_common(a, work, checks, marks, output, corrupt, expected_msgs, "GIMP")

    # GIMP 2.10 precisions: 150 u8 gamma, 250 u16 gamma; drawable types:
    # 0 RGB, 1 RGBA, 2 grey, 3 grey+alpha.
    dtypes = {1: "2", 2: "3", 3: "0", 4: "1"}
    for name, c, depth, prof, src in deep:
        m = [x for x in marks if x.startswith(f"deep {name} ")]
        if not checks.ok(len(m) == 1, f"GIMP loaded {name}.dir"):
            continue
        want = f"deep {name} {250 if depth == 16 else 150} {dtypes[c]} {564 if prof else 0}"
        checks.ok(m[0] == want, f"{name}: precision, layer type, profile: {m[0]} (want {want})")
        check_deep_export(a, checks, name, src, os.path.join(work, name + "-gimp.dir"), c,
                          depth, prof)


# ---- export ---------------------------------------------------------------

def add_option_exports(a, g, work, srcs, dirtool):
    """Exports through file-dir-save2 with options words, with remembered
    values and with the options parasite, each to be compared byte for
    byte with dirtool encode given the same options (the sources carry a
    density, as GIMP writes one); and bad words."""
    table = encoder_options(dirtool)
    dens = {}
    for name, src in srcs.items():
        dens[name] = src[:-4] + "-density.png"
        png_with_density(src, dens[name])
    # (case, the script-fu commands (OUT for the output), dirtool options,
    #  the source, the parasite's expected options or None)
    cases = []

    def export2(case, name, params, words, dirtool_args, parasite=None):
        out = os.path.join(work, f"opt-{case}.dir")
        cases.append((case, out, dens[name], dirtool_args, parasite))
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens[name])} {scm_str(dens[name])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)} {params} {scm_str(words)})
  (dt-mark "opt {case} " (dt-parasite img "dir-save-options"))
  (gimp-image-delete img))""")

    # Every preset, on every kind of image.
    for name in srcs:
        for preset in table["preset"][0]:
            export2(f"{name}-preset-{preset}", name, '"" "" "" 0', f"preset={preset}",
                    ["--preset", preset])
    # Words beside the parameters: a preset first, then the parameters, then
    # the other words; an empty string is the defaults.
    defaults = {k: v[1] for k, v in table.items() if k != "preset"}
    export2("words", "rgb", '"" "" "" 0',
            "preset=fast level=5 filter=sub threads=2",
            ["--preset", "fast", "--level", "5", "--filter", "sub", "--threads", "2"])
    export2("preset-then-params", "rgba", '"none" "sub" "" 0', "preset=smallest",
            ["--preset", "smallest", "--backend", "none", "--filter", "sub"])
    export2("version2", "grey", '"none" "none" "" 0', "version=2",
            ["--backend", "none", "--filter", "none", "--version", "2"],
            dict(defaults, backend="none", filter="none", version="2"))
    # Version 1 asked for: GIMP's resolution (every image has one) stays
    # out, as version 1 has no place for it (dirtool refuses a PNG's).
    out = os.path.join(work, "opt-version1.dir")
    cases.append(("version1", out, srcs["rgb"], ["--version", "1"],
                  dict(defaults, version="1")))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens['rgb'])} {scm_str(dens['rgb'])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)} "" "" "" 0 "version=1")
  (dt-mark "opt version1 " (dt-parasite img "dir-save-options"))
  (gimp-image-delete img))""")
    # Version 1's layout and codification, as words and as the layout
    # parameter.
    out = os.path.join(work, "opt-version1-words.dir")
    cases.append(("version1-words", out, srcs["rgb"],
                  ["--version", "1", "--level", "5", "--layout", "interleaved", "--codes",
                   "smallest"],
                  dict(defaults, version="1", level="5", layout="interleaved", codes="smallest")))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens['rgb'])} {scm_str(dens['rgb'])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)} "" "" "interleaved" 5 "version=1 codes=smallest")
  (dt-mark "opt version1-words " (dt-parasite img "dir-save-options"))
  (gimp-image-delete img))""")
    export2("search", "rgb", '"zstd" "auto" "" 12', "  search=trial  ",
            ["--level", "12", "--search", "trial"], dict(defaults, level="12", search="trial"))
    export2("empty", "rgb", '"" "" "" 0', "", [], defaults)

    # Remembered values: a RUN-WITH-LAST-VALS export (file-dir-save, of an
    # image without stored options) uses the last export's options.
    lv = os.path.join(work, "opt-lastvals.dir")
    cases.append(("lastvals", lv, dens["rgb"],
                  ["--preset", "fast", "--backend", "lzma", "--filter", "sub"], None))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens['grey'])} {scm_str(dens['grey'])})))
       (img2 (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens['rgb'])} {scm_str(dens['rgb'])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(lv + ".prime")} {scm_str(lv + ".prime")} "" "" "" 0 "preset=fast backend=lzma filter=sub")
  (file-dir-save RUN-WITH-LAST-VALS img2 (dt-drw img2) {scm_str(lv)} {scm_str(lv)} "" "" "" 0)
  (dt-mark "opt lastvals " (dt-parasite img2 "dir-save-options")))""")

    # The parasite: every option as name=value (an unknown name and a bad
    # value ignored), wins over the last values, is rewritten by the
    # export, and comes back from an XCF file.
    stored = dict(defaults, backend="lzma", filter="auto", search="trial", codes="zstd",
                  layout="interleaved", level="4")
    if "threads" in stored:
        stored["threads"] = "3"
    text = " ".join(["bogus=7", "level=99"] + [f"{k}={v}" for k, v in stored.items()])
    pa = os.path.join(work, "opt-parasite.dir")
    xcf = os.path.join(work, "opt-parasite.xcf")
    px = os.path.join(work, "opt-parasite-xcf.dir")
    # (dirtool refuses --level and --threads beside lzma, and --codes and
    # --layout with version 2, where they do not apply; stored options are
    # not checked, as they are every option)
    stored_args = [x for k, v in stored.items() if k in ("backend", "filter", "search")
                   for x in (f"--{k}", v)]
    cases.append(("parasite", pa, dens["rgb"], stored_args, stored))
    cases.append(("parasite-xcf", px, dens["rgb"], stored_args, stored))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens['rgb'])} {scm_str(dens['rgb'])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(pa + ".prime")} {scm_str(pa + ".prime")} "" "" "" 0 "preset=fast")
  (gimp-image-attach-parasite img (list "dir-save-options" 1 {scm_str(text)}))
  (file-dir-save RUN-WITH-LAST-VALS img (dt-drw img) {scm_str(pa)} {scm_str(pa)} "" "" "" 0)
  (dt-mark "opt parasite " (dt-parasite img "dir-save-options"))
  (gimp-xcf-save 0 img (dt-drw img) {scm_str(xcf)} {scm_str(xcf)})
  (gimp-image-delete img))""")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(dens['grey'])} {scm_str(dens['grey'])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(px + ".prime")} {scm_str(px + ".prime")} "" "" "" 0 "preset=fast")
  (let* ((x (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(xcf)} {scm_str(xcf)}))))
    (file-dir-save RUN-WITH-LAST-VALS x (dt-drw x) {scm_str(px)} {scm_str(px)} "" "" "" 0)
    (dt-mark "opt parasite-xcf " (dt-parasite x "dir-save-options"))))""")

    # Bad words fail the call with the core's message (as dirtool prints
    # it), and write nothing.
    bad_words = []
    for tag, words, msg in [
        ("level", "level=23", core_message(dirtool, srcs["rgb"], "--level", "23")),
        ("choice", "layout=ordered codes=tiny", core_message(dirtool, srcs["rgb"], "--codes", "tiny")),
        ("preset", "preset=best", core_message(dirtool, srcs["rgb"], "--preset", "best")),
        ("unknown", "bogus=1", "unknown option 'bogus'"),
        # an option that does not apply, with the core's reason (dirtool
        # prints it after "--")
        ("inapplicable", "layout=interleaved",
         core_message(dirtool, srcs["rgb"], "--layout", "interleaved")[2:]),
        ("inapplicable-level", "backend=none level=3",
         core_message(dirtool, srcs["rgb"], "--backend", "none", "--level", "3")[2:]),
        ("novalue", "level", "option level needs a value"),
    ]:
        out = os.path.join(work, f"opt-bad-{tag}.dir")
        bad_words.append((tag, out, msg))
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (dt-mark "opt bad {tag} result "
    (dt-num (length (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)} "" "" "" 0 {scm_str(words)})))))""")
    # file-dir-save2 needs all ten parameters: script-fu refuses fewer (so
    # file-dir-save keeps its nine for the scripts that call it).
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])})))
       (out {scm_str(os.path.join(work, "opt-nine.dir"))}))
  (dt-mark "opt nine result "
    (dt-num (length (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) out out "" "" "" 0)))))""")

    for case, out, src, args, parasite in cases:
        run([dirtool, "encode", src, out[:-4] + "-dirtool.dir"] + args)
    return cases, bad_words


def check_option_exports(a, checks, output, marks, cases, bad_words):
    for case, out, src, args, parasite in cases:
        m = [x for x in marks if x.startswith(f"opt {case} ")]
        if not checks.ok(len(m) == 1 and os.path.exists(out), f"options {case}: exported"):
            continue
        checks.ok(same_bytes(out, out[:-4] + "-dirtool.dir"),
                  f"options {case}: the bytes of dirtool encode {' '.join(args)}")
        if parasite is not None:
            got = option_words(m[0][len(f"opt {case} "):])
            checks.ok(got == parasite, f"options {case}: parasite {got} (want {parasite})")
    for tag, out, msg in bad_words:
        checks.ok(not [x for x in marks if x.startswith(f"opt bad {tag} result")] and
                  not os.path.exists(out) and f"Invalid .dir export option: {msg}" in output,
                  f"bad options ({tag}): refused with the core's message '{msg}'")
    checks.ok(not [x for x in marks if x.startswith("opt nine result")] and
              "Invalid number of arguments for file-dir-save2 (expected 10 but received 9)"
              in output, "script-fu refuses file-dir-save2 with nine arguments")


def mode_export(a, work, checks):
    dirtool = env_path("DIRTOOL")
    g = Gimp(a.gimp, a.plugin_dir, work)
    srcs = {}
    for i, (name, w, h, c) in enumerate([("grey", 67, 45, 1), ("rgb", 150, 101, 3),
                                          ("rgba", 90, 130, 4)]):
        srcs[name] = os.path.join(work, f"src-{name}.png")
        run([a.testimg, "gen", srcs[name], str(w), str(h), str(c), str(77 + i)])

    # (case, source, script-fu export call, expected header subset); the
    # layout is version 1's (the seed-pure mode's, or version=1 asked for:
    # file-dir-save2's words).  "ordered", file-dir-save's layout default,
    # is no choice, so not refused with version 2.
    cases = []
    for name, src in srcs.items():
        for tag, args, want in [
            ("zstd-auto-ordered", '"zstd" "auto" "ordered" 19',
             {"backend": "zstd", "layout": "ordered"}),
            ("none-none-interleaved", '"none" "none" "interleaved" 0',
             {"backend": "none", "filter": "none", "layout": "interleaved"}),
            ("zstd-sub-interleaved", '"zstd" "sub" "interleaved" 3 "version=1"',
             {"backend": "zstd", "filter": "sub", "layout": "interleaved", "version": "1"}),
        ]:
            out = os.path.join(work, f"{name}-{tag}.dir")
            cases.append((f"{name}-{tag}", src, out, want))
            proc = "file-dir-save2" if "version" in want else "file-dir-save"
            g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(src)} {scm_str(src)}))))
  ({proc} RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)} {args})
  (dt-mark "export {name}-{tag} " (dt-parasite img "dir-save-options"))
  (gimp-image-delete img))""")

    # gimp-file-save with a .dir name: the defaults (zstd, ordered, auto).
    for name, src in srcs.items():
        out = os.path.join(work, f"{name}-generic.dir")
        cases.append((f"{name}-generic", src, out, {"backend": "zstd", "layout": "ordered"}))
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(src)} {scm_str(src)}))))
  (gimp-file-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(out)} {scm_str(out)})
  (dt-mark "export {name}-generic " (dt-parasite img "dir-save-options"))
  (gimp-image-delete img))""")

    # Bad options are refused with a message.
    bad = os.path.join(work, "bad-option.dir")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (dt-mark "bad option result "
    (dt-num (length (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(bad)} {scm_str(bad)} "brotli" "" "" 0)))))""")
    bad_level = os.path.join(work, "bad-level.dir")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (dt-mark "bad level result "
    (dt-num (length (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(bad_level)} {scm_str(bad_level)} "" "" "" 23)))))""")

    # Last values: after a non-interactive export with none/sub/interleaved
    # (version 1), a RUN-WITH-LAST-VALS export of an image without stored
    # options uses them.
    lv_prime = os.path.join(work, "lastvals-prime.dir")
    lv = os.path.join(work, "rgb-lastvals.dir")
    cases.append(("rgb-lastvals", srcs["rgb"], lv,
                  {"backend": "none", "filter": "sub", "layout": "interleaved", "version": "1"}))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['grey'])} {scm_str(srcs['grey'])})))
       (img2 (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(lv_prime)} {scm_str(lv_prime)} "none" "sub" "interleaved" 0 "version=1")
  (file-dir-save RUN-WITH-LAST-VALS img2 (dt-drw img2) {scm_str(lv)} {scm_str(lv)} "" "" "" 0)
  (dt-mark "export rgb-lastvals " (dt-parasite img2 "dir-save-options")))""")

    # Exporting through a symbolic link replaces its target and keeps the
    # link, and the replaced file keeps its permissions (0600 here).
    link_real = os.path.join(work, "linked-real.dir")
    link = os.path.join(work, "rgb-link.dir")
    with open(link_real, "wb") as f:
        f.write(b"old contents")
    os.chmod(link_real, 0o600)
    os.symlink("linked-real.dir", link)
    cases.append(("rgb-link", srcs["rgb"], link, {"backend": "zstd", "layout": "ordered"}))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(link)} {scm_str(link)} "" "" "" 0)
  (dt-mark "export rgb-link " (dt-parasite img "dir-save-options")))""")

    # Options stored with the image win over the last values.
    st = os.path.join(work, "rgb-stored.dir")
    cases.append(("rgb-stored", srcs["rgb"], st,
                  {"backend": "zstd", "filter": "none", "layout": "ordered"}))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (gimp-image-attach-parasite img (list "dir-save-options" 1 "backend=zstd filter=none layout=ordered level=5"))
  (file-dir-save RUN-WITH-LAST-VALS img (dt-drw img) {scm_str(st)} {scm_str(st)} "" "" "" 0)
  (dt-mark "export rgb-stored " (dt-parasite img "dir-save-options")))""")

    # Conversions: grey+alpha and indexed (non-interactive, the drawable as
    # is), a layered image with offsets (with last values, flattened by
    # gimp_export_image as for any single-layer format).  The expected
    # pixels are GIMP's own PNG export of the same image.
    conv = []
    ga = os.path.join(work, "greya.dir")
    conv.append(("greya", ga, os.path.join(work, "greya-expected.png"), "2"))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['grey'])} {scm_str(srcs['grey'])})))
       (drw (dt-drw img)))
  (gimp-layer-add-alpha drw)
  (gimp-image-select-rectangle img CHANNEL-OP-REPLACE 5 5 20 30)
  (gimp-drawable-edit-clear drw)
  (gimp-selection-none img)
  (file-dir-save RUN-NONINTERACTIVE img drw {scm_str(ga)} {scm_str(ga)} "" "" "" 0)
  (dt-png img {scm_str(conv[-1][2])})
  (dt-mark "export greya " (dt-num (car (gimp-drawable-type drw)))))""")
    ix = os.path.join(work, "indexed.dir")
    conv.append(("indexed", ix, os.path.join(work, "indexed-expected.png"), "4"))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])}))))
  (gimp-image-convert-indexed img CONVERT-DITHER-NONE CONVERT-PALETTE-GENERATE 200 FALSE FALSE "")
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(ix)} {scm_str(ix)} "" "" "" 0)
  (dt-png img {scm_str(conv[-1][2])})
  (dt-mark "export indexed " (dt-num (car (gimp-drawable-type (dt-drw img))))))""")
    ly = os.path.join(work, "layers.dir")
    conv.append(("layers", ly, os.path.join(work, "layers-expected.png"), "1"))
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(srcs['rgb'])} {scm_str(srcs['rgb'])})))
       (top (car (gimp-layer-new img 40 30 RGBA-IMAGE "top" 60 LAYER-MODE-NORMAL))))
  (gimp-image-insert-layer img top 0 -1)
  (gimp-context-set-foreground '(200 30 90))
  (gimp-drawable-fill top FILL-FOREGROUND)
  (gimp-layer-set-offsets top 25 17)
  (gimp-image-set-active-layer img top)
  (file-dir-save RUN-WITH-LAST-VALS img top {scm_str(ly)} {scm_str(ly)} "" "" "" 0)
  (let* ((flat (car (gimp-image-duplicate img))))
    (gimp-image-merge-visible-layers flat CLIP-TO-IMAGE)
    (dt-png flat {scm_str(conv[-1][2])}))
  (dt-mark "export layers " (dt-num (car (gimp-image-get-layers img)))))""")

    opt_cases, bad_words = add_option_exports(a, g, work, srcs, dirtool)

    output = g.run()
    marks = g.marks()

    check_option_exports(a, checks, output, marks, opt_cases, bad_words)
    checks.ok(os.path.islink(link), "exporting through a symbolic link keeps the link")
    checks.ok(os.stat(link_real).st_mode & 0o777 == 0o600,
              f"the link's target keeps mode 600 ({os.stat(link_real).st_mode & 0o777:o})")
    for case, src, out, want in cases:
        m = [x for x in marks if x.startswith(f"export {case} ")]
        if not checks.ok(len(m) == 1 and os.path.exists(out), f"{case}: exported"):
            continue
        hdr = header(a.testimg, out)
        # The seed-pure mode (and version=1) writes version 1, whose header
        # names the options; every other mode version 2.
        pure = want.get("backend") == "none" and want.get("filter") == "none"
        if pure or want.get("version") == "1":
            checks.ok(hdr["version"] == "1" and all(hdr.get(k) == v for k, v in want.items()),
                      f"{case}: version-1 header {hdr} has {want}")
        else:
            checks.ok(hdr["version"] == "2", f"{case}: version 2 ({hdr})")
        checks.ok(f"backend={want['backend']}" in m[0] and f"layout={want['layout']}" in m[0],
                  f"{case}: options stored with the image ({m[0]})")
        png = out[:-4] + "-decoded.png"
        run([dirtool, "decode", out, png])
        same, msg = cmp_images(a.testimg, src, png)
        checks.ok(same, f"{case}: dirtool decodes the source pixels ({msg})")

    msg = core_message(dirtool, srcs["rgb"], "--backend", "brotli")
    checks.ok(not [x for x in marks if x.startswith("bad option result")]
              and f"Invalid .dir export option: {msg}" in output,
              f"an unknown back end is refused with the core's message '{msg}'")
    msg = core_message(dirtool, srcs["rgb"], "--level", "23")
    checks.ok(not [x for x in marks if x.startswith("bad level result")]
              and f"Invalid .dir export option: {msg}" in output,
              f"level 23 is refused with the core's message '{msg}'")

    for case, out, expected, _ in conv:
        m = [x for x in marks if x.startswith(f"export {case} ")]
        if not checks.ok(len(m) == 1 and os.path.exists(out), f"{case}: exported"):
            continue
        hdr = header(a.testimg, out)
        print(f"     {case}: {m[0]}; header {hdr}")
        png = out[:-4] + "-decoded.png"
        run([dirtool, "decode", out, png])
        same, msg = cmp_images(a.testimg, expected, png)
        checks.ok(same, f"{case}: .dir equals GIMP's own PNG export ({msg})")
    checks.ok(header(a.testimg, os.path.join(work, "greya.dir"))["channels"] == "2",
              "grey+alpha is written as grey+alpha")
    checks.ok(header(a.testimg, os.path.join(work, "indexed.dir"))["channels"] == "3",
              "indexed is written as RGB")
    hdr = header(a.testimg, ly)
    checks.ok(hdr["width"] == "150" and hdr["height"] == "101",
              f"the layered image is flattened to the canvas, 150x101 ({hdr})")
    checks.ok("export layers 2" in marks, "the original image keeps its 2 layers")

    # ImageMagick reads what GIMP wrote: one export per kind of image.
    if a.convert:
        picks = [(case, src, out) for case, src, out, _ in cases
                 if case in ("grey-zstd-auto-ordered", "rgb-none-none-interleaved",
                             "rgba-zstd-sub-interleaved", "rgb-generic")]
        picks += [(case, expected, out) for case, out, expected, _ in conv]
        for case, src, out in picks:
            raw = out[:-4] + ".rgba"
            proc = run([a.convert, out, "-depth", "8", f"RGBA:{raw}"], check=False)
            if not checks.ok(proc.returncode == 0,
                             f"{case}: convert reads the GIMP export {proc.stderr.strip()}"):
                continue
            proc = run([a.testimg, "cmprgba", src, raw], check=False)
            checks.ok(proc.returncode == 0,
                      f"{case}: convert's pixels equal the source "
                      f"({(proc.stdout + proc.stderr).strip()})")
    else:
        print("note: no ImageMagick coder in this build: convert interop not checked")


# ---- metadata -------------------------------------------------------------

def mode_metadata(a, work, checks):
    """A .dir with ICC profile, EXIF, XMP, comment and density opens in GIMP
    2.10 with each of them, and file-dir-save writes them back; a .dir
    without metadata exports none; the metadata switches (file-dir-save2's
    include-* words, remembered with the image and for the session, their
    defaults from the Preferences) leave out what they say."""
    dirtool = env_path("DIRTOOL")
    icc, src, full = metadata_source(a, work)
    plain_src = os.path.join(work, "plain-src.png")
    run([a.testimg, "gen", plain_src, "30", "20", "3", "42"])
    plain = os.path.join(work, "plain.dir")
    run([dirtool, "encode", plain_src, plain])
    bad_png = os.path.join(work, "bad-exif.png")
    png_with_metadata(src, bad_png, exif=BROKEN_EXIF)
    bad = os.path.join(work, "bad-exif.dir")
    run([dirtool, "encode", bad_png, bad])

    g = Gimp(a.gimp, a.plugin_dir, work)
    outs = {tag: os.path.join(work, f"out-{tag}.dir")
            for tag in ("full", "plain", "plain-generic", "bad-exif")}
    # gimp-image-get-metadata: the image's GimpMetadata, serialized.
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(full)} {scm_str(full)})))
       (prof (gimp-image-get-color-profile img))
       (res (gimp-image-get-resolution img)))
  (dt-mark "full icc " (dt-num (car prof)) " "
           (apply string-append (map (lambda (b) (string-append (dt-num b) ",")) (vector->list (cadr prof)))))
  (dt-mark "full comment " (dt-parasite img "gimp-comment"))
  (dt-mark "full resolution " (dt-num (car res)) " " (dt-num (cadr res)))
  (dt-mark "full metadata " (car (gimp-image-get-metadata img)))
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(outs['full'])} {scm_str(outs['full'])} "" "" "" 0)
  (dt-mark "exported full"))""")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(plain)} {scm_str(plain)}))))
  (dt-mark "plain icc " (dt-num (car (gimp-image-get-color-profile img))))
  (dt-mark "plain parasites " (apply string-append
    (map (lambda (n) (string-append n " ")) (cadr (gimp-image-get-parasite-list img)))))
  (dt-mark "plain metadata " (car (gimp-image-get-metadata img)))
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(outs['plain'])} {scm_str(outs['plain'])} "" "" "" 0)
  (gimp-file-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(outs['plain-generic'])} {scm_str(outs['plain-generic'])})
  (dt-mark "exported plain"))""")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(bad)} {scm_str(bad)}))))
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(outs['bad-exif'])} {scm_str(outs['bad-exif'])} "" "" "" 0)
  (dt-mark "exported bad-exif"))""")
    # The metadata switches (include-*, the names of GIMP 3's arguments) as
    # file-dir-save2 options words, each remembered with the image
    # (dir-save-metadata) and for the session; a bad value refused.
    switches = {
        "no-exif-comment": "include-exif=no include-comment=no",
        "no-profile-xmp": "include-color-profile=no include-xmp=no",
    }
    for tag, words in switches.items():
        outs[tag] = os.path.join(work, f"out-{tag}.dir")
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(full)} {scm_str(full)}))))
  (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(outs[tag])} {scm_str(outs[tag])}
                  "" "" "" 0 {scm_str(words)})
  (dt-mark "switches {tag} " (dt-parasite img "dir-save-metadata")))""")
    # With last values: an image with switches of its own exports with them
    # (here no profile, no EXIF); then a new image with the session's last
    # ones (that export's).
    outs["lastvals-image"] = os.path.join(work, "out-lastvals-image.dir")
    outs["lastvals-session"] = os.path.join(work, "out-lastvals-session.dir")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(full)} {scm_str(full)})))
       (img2 (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(full)} {scm_str(full)}))))
  (gimp-image-attach-parasite img (list "dir-save-metadata" 1
    "include-color-profile=no include-exif=no include-xmp=yes include-comment=yes"))
  (file-dir-save RUN-WITH-LAST-VALS img (dt-drw img) {scm_str(outs['lastvals-image'])} {scm_str(outs['lastvals-image'])} "" "" "" 0)
  (file-dir-save RUN-WITH-LAST-VALS img2 (dt-drw img2) {scm_str(outs['lastvals-session'])} {scm_str(outs['lastvals-session'])} "" "" "" 0)
  (dt-mark "exported lastvals"))""")
    bad_switch = os.path.join(work, "out-bad-switch.dir")
    g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(full)} {scm_str(full)}))))
  (dt-mark "bad switch result " (dt-num (length
    (file-dir-save2 RUN-NONINTERACTIVE img (dt-drw img) {scm_str(bad_switch)} {scm_str(bad_switch)}
                    "" "" "" 0 "include-exif=maybe")))))""")
    output = g.run()
    marks = g.marks()

    # The switches' defaults are the Preferences' (Image Import & Export):
    # a profile whose gimprc says to export neither the colour profile nor
    # XMP writes EXIF and the comment only.
    work2 = os.path.join(work, "prefs-session")
    os.makedirs(work2)
    g2 = Gimp(a.gimp, a.plugin_dir, work2)
    with open(os.path.join(g2.profile, "gimprc"), "a") as f:
        f.write("(export-color-profile no)\n(export-metadata-xmp no)\n")
    outs["prefs"] = os.path.join(work, "out-prefs.dir")
    g2.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(full)} {scm_str(full)}))))
  (file-dir-save RUN-NONINTERACTIVE img (dt-drw img) {scm_str(outs['prefs'])} {scm_str(outs['prefs'])} "" "" "" 0)
  (dt-mark "exported prefs " (dt-parasite img "dir-save-metadata")))""")
    g2.run()
    prefs_mark = [x for x in g2.marks() if x.startswith("exported prefs ")]

    def mark(prefix):
        m = [x for x in marks if x.startswith(prefix)]
        return m[0][len(prefix):] if m else None

    got = mark("full icc ")
    want = f"{len(icc)} " + "".join(f"{b}," for b in icc)
    checks.ok(got == want, "full.dir: the image's colour profile is the file's, byte for byte")
    checks.ok(mark("full comment ") == META_COMMENT,
              f"full.dir: the gimp-comment parasite is the file's comment ({mark('full comment ')!r})")
    res = (mark("full resolution ") or "0 0").split()
    checks.ok(all(abs(float(r) - META_DENSITY * 0.0254) < 1e-6 for r in res),
              f"full.dir: resolution {res} is 11811 pixels per metre")
    md = output[output.find("DT full metadata"):] if "DT full metadata" in output else ""
    checks.ok('<tag name="Exif.Image.Make">DirCam</tag>' in md and
              '<tag name="Exif.Image.Model">Model 7</tag>' in md,
              "full.dir: EXIF Make and Model in the image's metadata")
    checks.ok(f'<tag name="Xmp.dc.creator">{META_CREATOR}</tag>' in md,
              "full.dir: XMP dc:creator in the image's metadata")
    parasites = (mark("plain parasites ") or "?").split()
    checks.ok(mark("plain icc ") == "0" and "gimp-comment" not in parasites and "?" not in parasites,
              f"plain.dir: no profile, no comment ({mark('plain icc ')}, parasites {parasites})")
    pm = output[output.find("DT plain metadata"):output.find("exported plain")]
    checks.ok("Xmp." not in pm and "Exif.Image.Make" not in pm,
              "plain.dir: no EXIF (beyond GIMP's own tags) or XMP")
    for tag in ("full", "plain", "bad-exif"):
        checks.ok(f"exported {tag}" in marks and os.path.exists(outs[tag]), f"{tag}: exported")
    if not all(os.path.exists(p) for p in outs.values()):
        return
    c = dir_chunks(outs["full"])
    checks.ok(c.get("iCCP") == icc, "full: iCCP is the file's profile, byte for byte")
    checks.ok(c.get("cOMt") == META_COMMENT.encode() + b"\0", f"full: cOMt is the comment ({c.get('cOMt')!r})")
    checks.ok(c.get("pHYs") == struct.pack("<II", META_DENSITY, META_DENSITY),
              f"full: pHYs is 11811 x 11811 pixels per metre ({c.get('pHYs')!r})")
    tags = exif_ascii_tags(c.get("eXIf"))
    checks.ok(tags.get(0x010F) == "DirCam" and tags.get(0x0110) == "Model 7",
              f"full: eXIf has Make and Model ({tags})")
    checks.ok(xmp_creators(c.get("xMPt")) == [META_CREATOR],
              f"full: xMPt has dc:creator {META_CREATOR!r} ({xmp_creators(c.get('xMPt'))})")
    same, msg = cmp_images(a.testimg, src, outs["full"])
    checks.ok(same, f"full: pixel-exact ({msg})")
    for tag in ("plain", "plain-generic"):
        c = dir_chunks(outs[tag])
        checks.ok(c == {} and header(a.testimg, outs[tag]).get("version") == "2",
                  f"{tag}: a file without metadata exports none ({sorted(c)})")
        same, msg = cmp_images(a.testimg, plain_src, outs[tag])
        checks.ok(same, f"{tag}: pixel-exact ({msg})")
    # EXIF GIMP cannot read: the file opens, the rest of its metadata too.
    checks.ok("the EXIF of" in output and "is left out" in output,
              "bad-exif.dir: GIMP says the EXIF it cannot read is left out")
    c = dir_chunks(outs["bad-exif"])
    checks.ok(c.get("iCCP") == icc and xmp_creators(c.get("xMPt")) == [META_CREATOR] and
              c.get("cOMt") == META_COMMENT.encode() + b"\0",
              f"bad-exif: the profile, XMP and comment still go through ({sorted(c)})")
    same, msg = cmp_images(a.testimg, src, outs["bad-exif"])
    checks.ok(same, f"bad-exif: pixel-exact ({msg})")

    # The switches: what each export wrote, and what it remembered.
    every = {"iCCP", "eXIf", "xMPt", "cOMt", "pHYs"}
    for tag, words, left_out in (
            ("no-exif-comment", switches["no-exif-comment"], {"eXIf", "cOMt"}),
            ("no-profile-xmp", switches["no-profile-xmp"], {"iCCP", "xMPt"}),
            ("lastvals-image", "the image's dir-save-metadata", {"iCCP", "eXIf"}),
            ("lastvals-session", "the session's last switches", {"iCCP", "eXIf"}),
            ("prefs", "Preferences without colour profile and XMP", {"iCCP", "xMPt"})):
        if not checks.ok(os.path.exists(outs[tag]), f"{tag}: exported"):
            continue
        c = dir_chunks(outs[tag])
        checks.ok(set(c) == every - left_out,
                  f"{tag} ({words}): chunks {sorted(c)}, without {sorted(left_out)}")
        want = {"iCCP": icc, "cOMt": META_COMMENT.encode() + b"\0",
                "pHYs": struct.pack("<II", META_DENSITY, META_DENSITY)}
        checks.ok(all(c[k] == v for k, v in want.items() if k in c) and
                  ("eXIf" not in c or exif_ascii_tags(c["eXIf"]).get(0x010F) == "DirCam") and
                  ("xMPt" not in c or xmp_creators(c["xMPt"]) == [META_CREATOR]),
                  f"{tag}: the chunks it has are the file's metadata")
        same, msg = cmp_images(a.testimg, src, outs[tag])
        checks.ok(same, f"{tag}: pixel-exact ({msg})")
    for tag, want in (("no-exif-comment", "include-color-profile=yes include-exif=no "
                                          "include-xmp=yes include-comment=no"),
                      ("no-profile-xmp", "include-color-profile=no include-exif=yes "
                                         "include-xmp=no include-comment=yes")):
        checks.ok(mark(f"switches {tag} ") == want,
                  f"{tag}: the image remembers {want!r} ({mark(f'switches {tag} ')!r})")
    want = "include-color-profile=no include-exif=yes include-xmp=no include-comment=yes"
    checks.ok(prefs_mark == [f"exported prefs {want}"],
              f"prefs: the defaults are the Preferences' ({prefs_mark})")
    checks.ok(not [x for x in marks if x.startswith("bad switch result")] and
              not os.path.exists(bad_switch) and
              "Invalid .dir export option: invalid value 'maybe' for include-exif: "
              "expected yes or no" in output,
              "include-exif=maybe is refused with a message, and nothing is written")


# ---- heatmap --------------------------------------------------------------

# The 15 arguments after run-mode, image and drawable of
# plug-in-dir-array-heatmap, with the defaults (readable heatmap,
# self-describing image).
HEAT_DEFAULTS = dict(classic=0, capacity=1, ldeczeroes=1, alpha=0, rows=0, cols=0,
                     scale="0.0", zoom=0, percentile="0.0", tile_rows=0, tile_cols=0,
                     plain=0)
HEAT_ORDER = ["classic", "capacity", "ldeczeroes", "alpha", "rows", "cols", "scale",
              "zoom", "percentile", "tile_rows", "tile_cols", "plain"]


def heat_args(**kw):
    v = dict(HEAT_DEFAULTS, **kw)
    return " ".join(str(v[k]) for k in HEAT_ORDER)


def mode_heatmap(a, work, checks):
    """Numeric array heatmap: dirtool array heatmap's drawing, a layer per
    tensor; the plain grid; scripts of the earlier procedures."""
    dirtool = env_path("DIRTOOL")
    node = shared_file("imgarrays-reference/small/node.png")
    raw = json.load(open(shared_file("imgarrays-reference/small/rawData.json")))
    samples = os.path.join(env_path("DIR_SOURCE_ROOT"), "samples")
    g = Gimp(a.gimp, a.plugin_dir, work)

    def heat(tag, path, proc="plug-in-dir-array-heatmap", args=None, layer_pngs=()):
        """Runs the heatmap on the file; exports the flattened result, and
        the layers named in layer_pngs (index -> path) alone."""
        out = os.path.join(work, f"heat-{tag}.png")
        exports = "".join(
            f"\n  (file-png-save2 RUN-NONINTERACTIVE h (vector-ref ls {i}) {scm_str(p)} "
            f"{scm_str(p)} 0 1 0 0 0 0 0 0 1)" for i, p in layer_pngs)
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(path)} {scm_str(path)})))
       (r ({proc} RUN-NONINTERACTIVE img (dt-drw img) {args if args is not None else heat_args()}))
       (h (car r))
       (ls (cadr (gimp-image-get-layers h))))
  (dt-mark "heat {tag} " (dt-num (car (gimp-image-width h))) "x"
           (dt-num (car (gimp-image-height h))) " returned=" (dt-num (length r))
           " result=" (dt-num (cadr r)) " layers=" (dt-num (car (gimp-image-get-layers h)))
           " last=" (dt-num (list-ref r (- (length r) 1))))
  (let loop ((i 0))
    (if (< i (vector-length ls))
        (begin (dt-mark "layer {tag} " (dt-num i) " " (car (gimp-item-get-name (vector-ref ls i)))
                        " at " (dt-num (cadr (gimp-drawable-offsets (vector-ref ls i))))
                        " " (dt-num (car (gimp-drawable-width (vector-ref ls i)))) "x"
                        (dt-num (car (gimp-drawable-height (vector-ref ls i)))))
               (loop (+ i 1)))))
  (dt-mark "comment {tag} " (dt-parasite h "gimp-comment")){exports}
  (gimp-image-flatten h)
  (dt-png h {scm_str(out)}))""")
        return out

    def mark(prefix):
        m = [x for x in marks if x.startswith(prefix)]
        return m[0] if len(m) == 1 else None

    # 1. Three named tensors, and W1 alone, to compare its layer with
    # dirtool's picture of that tensor.
    tpng, w1png = three_tensors(work)
    layer_w1 = os.path.join(work, "layer-W1.png")
    layer_w2 = os.path.join(work, "layer-W2.png")
    out_t = heat("tensors", tpng, layer_pngs=((0, layer_w1), (2, layer_w2)))
    # the options: zoom, tiles (W1's rows of 28 as 4x7 tiles), percentile
    out_o = heat("options", tpng, args=heat_args(zoom=3, percentile="90.0", tile_rows=4,
                                                 tile_cols=7))
    out_s = heat("scaled", tpng, args=heat_args(scale="0.25"))
    # the earlier Tensor heatmap's procedure and arguments, for scripts
    out_c = heat("compat", tpng, proc="plug-in-dir-tensor-heatmap", args="2 0.0 0 0")

    # 2. The classic reference image (no header): one unnamed tensor.
    out_n = heat("node", node, args=heat_args(classic=1))
    # 3. The plain grid: near-square, a picked shape, a scale.
    out_sq = heat("plain", node, args=heat_args(classic=1, plain=1))
    out_pick = heat("pick", node, args=heat_args(classic=1, rows=100, cols=200))
    out_pscaled = heat("pscaled", node, args=heat_args(classic=1, plain=1, scale="0.1"))
    # the sample weights, as samples/weights-make.sh draws the plain grid
    with open(os.path.join(samples, "weights-make.sh")) as f:
        sm = re.search(r"--shape\s+(\d+)x(\d+)\s+--scale\s+([0-9.]+)", f.read())
    if not sm:
        raise Failure("samples/weights-make.sh no longer says --shape RxC --scale S")
    s_rows, s_cols, s_scale = int(sm.group(1)), int(sm.group(2)), sm.group(3)
    out_sample = heat("sample", os.path.join(samples, "weights-784-100-10.dir"),
                      args=heat_args(rows=s_rows, cols=s_cols, scale=s_scale))

    # 4. Refused: an image holding no array, a classic image read as
    #    self-describing, bad arguments.
    not_array = os.path.join(samples, "gradient.png")
    for tag, path, args in (("photo", not_array, heat_args()),
                            ("classic", node, heat_args()),
                            ("badtiles", tpng, heat_args(tile_rows=4)),
                            ("badzoom", tpng, heat_args(zoom=65))):
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(path)} {scm_str(path)}))))
  (dt-mark "refused {tag} " (dt-num (length
    (plug-in-dir-array-heatmap RUN-NONINTERACTIVE img (dt-drw img) {args})))))""")

    t0 = time.monotonic()
    output = g.run()
    print(f"GIMP ran {len(g.commands)} batch commands in {time.monotonic() - t0:.1f} s")
    marks = g.marks()

    # 1.
    ref_t, rep_t = dirtool_heatmap(work, tpng)
    names = ["W1 (20, 28) float64", "b1 (3,) float64", "W2 (3, 2) float64", "Background"]
    m = mark("heat tensors ")
    checks.ok(m is not None and " returned=6 result=569 layers=4 last=3" in m,
              f"three tensors: 569 values, three tensor layers and a background ({m})")
    got = [x.split(" ", 3)[3].split(" at ")[0] for x in marks if x.startswith("layer tensors ")]
    checks.ok(got == names, f"each layer named after its tensor: name, shape, dtype ({got})")
    same, msg = cmp_images(a.testimg, ref_t, out_t)
    checks.ok(same, f"the flattened layers are dirtool array heatmap's picture ({msg})")
    ref_w1, _ = dirtool_heatmap(work, w1png)
    same, msg = cmp_images(a.testimg, ref_w1, layer_w1)
    checks.ok(same, f"layer W1 alone is dirtool's heatmap of W1 ({msg})")
    checks.ok(os.path.exists(layer_w2), "layer W2 exported")
    missing = [line for line in rep_t if line not in output]
    checks.ok(rep_t and not missing,
              f"the image comment holds dirtool's statistics, a line per tensor ({missing})")
    ref_o, _ = dirtool_heatmap(work, tpng, "--zoom", "3", "--percentile", "90", "--tiles", "4x7")
    same, msg = cmp_images(a.testimg, ref_o, out_o)
    checks.ok(same, f"zoom 3, percentile 90, tiles 4x7: dirtool's picture ({msg})")
    ref_s, _ = dirtool_heatmap(work, tpng, "--scale", "0.25")
    same, msg = cmp_images(a.testimg, ref_s, out_s)
    checks.ok(same, f"scale 0.25: dirtool's picture ({msg})")
    same, msg = cmp_images(a.testimg, out_t, out_s)
    checks.ok(not same, "scale 0.25 draws other colours than the default scale")
    m = mark("heat compat ")
    checks.ok(m is not None and " returned=2 result=3 layers=4" in m,
              f"plug-in-dir-tensor-heatmap: still there, three tensor layers ({m})")
    ref_c, _ = dirtool_heatmap(work, tpng, "--zoom", "2")
    same, msg = cmp_images(a.testimg, ref_c, out_c)
    checks.ok(same, f"plug-in-dir-tensor-heatmap zoom 2: dirtool's picture ({msg})")

    # 2.
    n = len(raw)
    ref_n, rep_n = dirtool_heatmap(work, node, "--classic", "--capacity", "1")
    m = mark("heat node ")
    checks.ok(m is not None and f" result={n} layers=2 last=1" in m,
              f"node.png (classic): {n} values, one tensor layer and the background ({m})")
    got = [x.split(" ", 3)[3].split(" at ")[0] for x in marks if x.startswith("layer node ")]
    checks.ok(got == [f"(unnamed) ({n},) float64", "Background"],
              f"the classic image's one tensor is unnamed ({got})")
    same, msg = cmp_images(a.testimg, ref_n, out_n)
    checks.ok(same, f"node.png: dirtool's picture ({msg})")
    checks.ok(rep_n and rep_n[0] in output, f"node.png: dirtool's statistics ({rep_n})")

    # 3.
    unpacked = os.path.join(work, "node-values.json")
    run([dirtool, "array", "unpack", node, unpacked, "--classic", "--capacity", "1"])
    held = json.load(open(unpacked))
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    m = mark("heat plain ")
    checks.ok(m is not None and m.startswith(f"heat plain {cols}x{rows} returned=6 result={n} "
                                             f"layers=1 last=1"),
              f"plain: near-square {cols}x{rows}, one layer ({m})")
    ref, rep = dirtool_heatmap(work, node, "--classic", "--capacity", "1", "--plain")
    same, msg = cmp_images(a.testimg, ref, out_sq)
    checks.ok(same, f"plain: same pixels as dirtool array heatmap --plain ({msg})")
    checks.ok(f"DT comment plain {rep[0]}" in output,
              f"plain: the comment is dirtool's statistics ({rep[0]})")
    vt = os.path.join(work, "held-values.txt")
    with open(vt, "w") as f:
        f.write("\n".join(repr(v) for v in held) + "\n")
    proc = run([a.testimg, "signs", out_sq, vt], check=False)
    checks.ok(proc.returncode == 0,
              f"plain: each cell has its value's colour ({(proc.stdout + proc.stderr).strip()})")
    m = mark("heat pick ")
    checks.ok(m is not None and m.startswith("heat pick 200x100 "),
              f"rows 100, cols 200: the plain grid, 200x100 ({m})")
    ref, _ = dirtool_heatmap(work, node, "--classic", "--capacity", "1", "--shape", "100x200")
    same, msg = cmp_images(a.testimg, ref, out_pick)
    checks.ok(same, f"100x200: dirtool --shape 100x200 ({msg})")
    ref, _ = dirtool_heatmap(work, node, "--classic", "--capacity", "1", "--plain", "--scale", "0.1")
    same, msg = cmp_images(a.testimg, ref, out_pscaled)
    checks.ok(same, f"plain, scale 0.1: dirtool --plain --scale 0.1 ({msg})")
    m = mark("heat sample ")
    checks.ok(m is not None and m.startswith(f"heat sample {s_cols}x{s_rows} returned=6 "
                                             f"result=79510 "),
              f"samples/weights-784-100-10.dir: 79510 values in {s_rows} rows of {s_cols} ({m})")
    same, msg = cmp_images(a.testimg, os.path.join(samples, "weights-784-100-10-heatmap.png"),
                           out_sample)
    checks.ok(same, f"the same pixels as samples/weights-784-100-10-heatmap.png ({msg})")

    # 4.
    checks.ok(not [x for x in marks if x.startswith("refused")], "no refused call returned")
    checks.ok("Could not read the layer as a numeric array: no self-describing array header"
              in output, "an image holding no array: the core's message")
    checks.ok(output.count("Could not read the layer as a numeric array") >= 2,
              "a classic image without classic=1 is refused with a message")
    checks.ok("tile-rows and tile-cols are both 0 (no tiles) or both 1 to 4096" in output,
              "tile-rows without tile-cols is refused with a message")
    checks.ok("zoom takes 0 (automatic) to 64" in output, "zoom 65 is refused with a message")


# ---- corpus ---------------------------------------------------------------

def mode_corpus(a, work, checks):
    cache, jobs = corpus_jobs(work, checks)
    # One script-fu process for all images (each batch command costs a new
    # one); (catch #f ...) keeps one failure from hiding the others.
    g = Gimp(a.gimp, a.plugin_dir, work)
    body = []
    for i, (src, d, out) in enumerate(jobs):
        body.append(f"""
  (catch #f
    (let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(d)} {scm_str(d)}))))
      (dt-png img {scm_str(out)})
      (dt-mark "corpus {i}")
      (gimp-image-delete img)))""")
    g.add("(begin" + "".join(body) + ")")
    g.run(timeout=1200)
    check_corpus(a, checks, cache, jobs, g.marks(), "GIMP")


# ---- interactive ----------------------------------------------------------

def mode_interactive(a, work, checks):
    """The export dialog and the heatmap dialog, driven by key presses."""
    dirtool = env_path("DIRTOOL")
    node = shared_file("imgarrays-reference/small/node.png")
    src = os.path.join(work, "src.png")
    run([a.testimg, "gen", src, "150", "101", "3", "5"])
    png_with_density(src, src)  # so that dirtool writes GIMP's resolution too
    ia = os.path.join(work, "dialog.dir")
    ib = os.path.join(work, "lastvals.dir")
    ic = os.path.join(work, "preset.dir")
    id_ = os.path.join(work, "preset-lastvals.dir")
    heat_png = os.path.join(work, "heat.png")
    d = Display(work)
    try:
        g = Gimp(a.gimp, a.plugin_dir, work)
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(src)} {scm_str(src)}))))
  (file-dir-save RUN-INTERACTIVE img (dt-drw img) {scm_str(ia)} {scm_str(ia)} "" "" "" 0)
  (dt-mark "dialog export " (dt-parasite img "dir-save-options"))
  (dt-mark "dialog metadata " (dt-parasite img "dir-save-metadata"))
  (file-dir-save RUN-WITH-LAST-VALS img (dt-drw img) {scm_str(ib)} {scm_str(ib)} "" "" "" 0)
  (dt-mark "last values export done"))""")
        g.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(node)} {scm_str(node)})))
       (r (plug-in-dir-array-heatmap RUN-INTERACTIVE img (dt-drw img) {heat_args()}))
       (h (car r)))
  (dt-mark "dialog heatmap count=" (dt-num (cadr r)) " layers=" (dt-num (list-ref r 5)))
  (gimp-image-flatten h)
  (dt-png h {scm_str(heat_png)}))""")
        g.start(d.display)
        # Export dialog: back end zstd -> lzma, Save EXIF data off, then the
        # Export button (their mnemonics; the level's is alt+v; the metadata
        # switches take letters the options left: Save E_XIF data).  The
        # layout is insensitive: version 1's, and the defaults write 2.
        d.keys("Export Image as", "alt+b", "Down", "alt+x", "alt+e")
        # Heatmap of a classic image: one dialog asks for the configuration
        # (capacity 1, lDecZeroes, no alpha are its defaults) and the
        # drawing options: zoom 2, then OK.
        d.keys("Numeric array heatmap", "alt+z", "ctrl+a", "2", "Tab", "alt+o")
        g.wait()
        # The dialog in a new session (the defaults; its screenshot), the
        # preset smallest chosen (every other option set to its values,
        # the level insensitive with its lzma), then back end zstd and
        # level 15; then an export with the remembered values.
        work2 = os.path.join(work, "preset-session")
        os.makedirs(work2)
        g2 = Gimp(a.gimp, a.plugin_dir, work2)
        g2.add(f"""
(let* ((img (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(src)} {scm_str(src)})))
       (img2 (car (gimp-file-load RUN-NONINTERACTIVE {scm_str(src)} {scm_str(src)}))))
  (file-dir-save RUN-INTERACTIVE img (dt-drw img) {scm_str(ic)} {scm_str(ic)} "" "" "" 0)
  (dt-mark "preset dialog export " (dt-parasite img "dir-save-options"))
  (file-dir-save RUN-WITH-LAST-VALS img2 (dt-drw img2) {scm_str(id_)} {scm_str(id_)} "" "" "" 0))""")
        g2.start(d.display)
        w = d.window("Export Image as")
        screenshot(d, w, "gimp-export-dialog.png")
        d.keys("Export Image as", "alt+p", "Down")
        screenshot(d, w, "gimp-export-dialog-smallest.png")
        d.keys("Export Image as", "alt+b", "Up", "alt+v", "ctrl+a", "1", "5", "Tab")
        screenshot(d, w, "gimp-export-dialog-changed.png")
        d.keys("Export Image as", "alt+e")
        g2.wait()
    finally:
        d.close()
    marks = g.marks()

    defaults = {k: v[1] for k, v in encoder_options(dirtool).items() if k != "preset"}
    want = dict(defaults, backend="lzma")
    m = [x for x in marks if x.startswith("dialog export ")]
    checks.ok(len(m) == 1 and option_words(m[0][len("dialog export "):]) == want,
              f"the dialog's choices are stored with the image ({m}, want {want})")
    want = "include-color-profile=yes include-exif=no include-xmp=yes include-comment=yes"
    checks.ok(f"dialog metadata {want}" in marks,
              f"the dialog's metadata switches (the Preferences' defaults, Save EXIF data "
              f"switched off) are stored with the image "
              f"({[x for x in marks if x.startswith('dialog metadata')]})")
    m = [x for x in g2.marks() if x.startswith("preset dialog export ")]
    checks.ok(len(m) == 1, f"exported from the dialog after choosing the preset ({m})")
    refs = {}
    for args in (["--backend", "lzma"],
                 ["--preset", "smallest", "--backend", "zstd", "--level", "15"]):
        refs[args[1]] = os.path.join(work, f"dialog-{args[1]}-dirtool.dir")
        run([dirtool, "encode", src, refs[args[1]]] + args)
    for path, what, ref, args in (
            (ia, "exported from the dialog", "lzma", "--backend lzma"),
            (ib, "exported with last values", "lzma", "--backend lzma"),
            (ic, "exported from the dialog with preset smallest, zstd and level 15", "smallest",
             "--preset smallest --backend zstd --level 15"),
            (id_, "exported with the last values after that", "smallest",
             "--preset smallest --backend zstd --level 15")):
        if not checks.ok(os.path.exists(path), what):
            continue
        checks.ok(same_bytes(path, refs[ref]), f"{what}: the bytes of dirtool encode {args}")
        png = path[:-4] + "-decoded.png"
        run([dirtool, "decode", path, png])
        same, msg = cmp_images(a.testimg, src, png)
        checks.ok(same, f"{what}: pixel-exact ({msg})")

    checks.ok("dialog heatmap count=19885 layers=1" in marks,
              "the heatmap dialog gives 19885 values in one tensor layer")
    check_dialog_classic_heatmap(a, work, checks, node, heat_png)


# ---- progress ---------------------------------------------------------------

def mode_progress(a, work, checks):
    """The progress the plug-in reports while opening and exporting a
    .dir, as another plug-in sees it (tests/gimp/progress-probe.c).  GIMP
    passes plug-ins' progress on only with its windows (gimp-2.10 on a
    private Xvfb display; gimp-console drops it), so this runs the program
    with them, the messages sent to the console."""
    gui = os.path.join(os.path.dirname(a.gimp), "gimp-2.10")
    if not os.path.exists(gui):
        raise Failure(f"{gui} not found: the progress test needs GIMP 2.10's window program")
    src, dst, log = progress_files(a, work)
    d = Display(work)
    try:
        g = Gimp(gui, a.plugin_dir, work)
        g.gui = True
        probe_plugin_path(g.profile, a.probe_dir)
        with open(os.path.join(g.profile, "gimprc"), "a") as f:
            f.write("(show-tips no)\n")
        g.commands[0] = '(gimp-message-set-handler CONSOLE) ' + g.commands[0]
        g.add(f"""(plug-in-dir-progress-probe RUN-NONINTERACTIVE
  {scm_str(src)} {scm_str(dst)} {scm_str(log)})
(dt-mark "probe ran")""")
        g.start(d.display)
        g.wait()
    finally:
        d.close()
    checks.ok("probe ran" in marks_of(g.output), "GIMP 2.10: the progress probe ran")
    check_progress_log(checks, "GIMP 2.10", log, "big.dir", "again.dir")
    same, why = cmp_images(a.testimg, src, dst)
    checks.ok(same, f"GIMP 2.10: the export the probe asked for equals the file it opened ({why})")


if __name__ == "__main__":
    sys.exit(main({"load": mode_load, "export": mode_export, "metadata": mode_metadata,
                   "heatmap": mode_heatmap, "corpus": mode_corpus, "progress": mode_progress,
                   "interactive": mode_interactive}, "dir-gimp"))
