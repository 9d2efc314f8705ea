#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The desktop integration (issue 14) with the real programs.

Usage: desktop_tests.py MODE [options]

MODE is one of:
  query-loaders  gdk-pixbuf-query-loaders on the built module lists the
                 "dir" format, image/x-dir, the extension and the magic
  pixbuf         samples encoded by dirtool in several modes (grey, RGB,
                 RGBA; back ends, filters, layouts) and a small RGBA image:
                 every pixel through gdk_pixbuf_new_from_file and the
                 incremental loader (pixbuf_check load), and thumbnails by
                 gdk-pixbuf-thumbnailer -s 128 (a path, a file:// URI, an
                 extension-less file, and the command line of our
                 .thumbnailer entry) equal to the core's pixels at the
                 thumbnail size (pixbuf_check thumb)
  malformed      truncated files, a bad CRC, a bad magic, a bad header field,
                 an unknown version,
                 trailing bytes and 65535x65535 bombs: the specific GdkPixbuf
                 error carrying the core's message (pixbuf_check error), and
                 gdk-pixbuf-thumbnailer exits 1 with that message, writes
                 nothing, does not crash and stays small
  mime           update-mime-database into a temporary XDG data directory
                 with our entry, then `gio info`: an extension-less .dir is
                 image/x-dir with the generic image icon (and is not without
                 the entry; a file with a partial magic is not)
  file           file -m with our magic fragment: version, size and channels
                 of grey, RGB and RGBA files, --mime-type, --extension, the
                 fragment compiles (file -C) and works beside the system's
                 magic
  install        meson install into a DESTDIR: the module, the thumbnailer
                 entry, the MIME entry and the magic are installed where they
                 belong, the cache updates are skipped (DESTDIR), and the
                 packager's steps (query-loaders, update-mime-database) on
                 the staged files give a working loader and MIME type

The gdk-pixbuf modes run with GDK_PIXBUF_MODULE_FILE set to the loader cache
generated in the build directory and XDG_DATA_DIRS to the MIME database
staged there (Debian's gdk-pixbuf chooses loaders by GIO content type, so
the loader needs the MIME entry).  Exit 0 pass, 1 fail, 77 skip.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fuzz"))
import hostile  # noqa: E402  (the bomb files and the header writer)
from hostile import Checks, Failure  # noqa: E402

SKIP = 77
RSS_MAX_KIB = 256 * 1024


def run(cmd, env=None, **kw):
    """Runs cmd; returns (returncode, stdout, stderr)."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                          timeout=300, **kw)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def run_rss(cmd, env=None):
    """Runs cmd; returns (returncode, stdout, stderr, peak RSS in KiB of
    that process alone, measured by wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (proc.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), usage.ru_maxrss)


def need(program):
    path = shutil.which(program)
    if path:
        return path
    if os.environ.get("CI") == "true":
        raise Failure(f"{program} not found (CI=true: failing)")
    print(f"{program} not found: skipping")
    sys.exit(SKIP)


def host_env(a, env=None):
    """The environment for gdk-pixbuf's own programs loading the module:
    under AddressSanitizer, the runtime preloaded and their leaks not
    reported (see gdk-pixbuf/meson.build)."""
    env = dict(os.environ if env is None else env)
    if a.preload:
        env["LD_PRELOAD"] = a.preload
        opts = env.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "detect_leaks=0"
    return env


def pixbuf_env(a, work):
    env = dict(os.environ)
    env["GDK_PIXBUF_MODULE_FILE"] = a.cache
    env["XDG_DATA_DIRS"] = a.mime_data + ":/usr/share"
    home = os.path.join(work, "xdg-home")
    os.makedirs(home, exist_ok=True)
    env["XDG_DATA_HOME"] = home
    env["XDG_CACHE_HOME"] = os.path.join(work, "xdg-cache")
    return env


def encode(a, png, out, *opts):
    rc, o, e = run([a.dirtool, "encode", png, out] + list(opts))
    if rc != 0:
        raise Failure(f"dirtool encode {png} {out} {' '.join(opts)}: {o}{e}")
    return out


# Samples and the modes they are encoded in: grey, RGB and RGBA, both back
# ends, both filters, both layouts, both codifications (the layout and the
# codification are version 1's).
SAMPLES = [
    ("grey.png", "grey", []),                                      # grey 480x320
    ("grey.png", "grey-none-sub", ["--backend", "none", "--filter", "sub"]),
    ("chess.png", "chess", []),                                    # RGB 256x256
    ("gradient.png", "gradient-interleaved", ["--version", "1", "--interleaved"]),  # RGB 320x200
    ("pixel-art.png", "pixel-art-smallest",
     ["--version", "1", "--codes", "smallest", "--backend", "none"]),
    ("alpha.png", "alpha", []),                                    # RGBA 200x200
    ("alpha.png", "alpha-none", ["--backend", "none", "--filter", "none"]),
    ("text.png", "text", []),                                      # RGB 640x360
]


def make_files(a, work):
    files = []
    for png, name, opts in SAMPLES:
        files.append(encode(a, os.path.join(a.samples, png),
                            os.path.join(work, name + ".dir"), *opts))
    small = os.path.join(work, "small-rgba.dir")
    rc, o, e = run([a.check, "small", small])
    if rc != 0:
        raise Failure(f"pixbuf_check small: {o}{e}")
    files.append(small)
    return files


def mode_query_loaders(a, work, checks):
    rc, out, err = run([a.query_loaders, a.module], env=host_env(a))
    checks.ok(rc == 0, f"gdk-pixbuf-query-loaders {a.module} exits 0 ({err.strip()})")
    print(out)
    lines = out.splitlines()
    checks.ok(f'"{a.module}"' in lines, "the module's path is listed")
    checks.ok('"dir" 4 "gdk-pixbuf" "Direccional .dir image" "MIT"' in lines,
              "format dir, thread-safe, with its description and licence")
    checks.ok('"image/x-dir" ""' in lines, "MIME type image/x-dir")
    checks.ok('"dir" ""' in lines, "extension dir")
    checks.ok('"\\213DIR\\r\\n\\032\\n" "" 100' in lines,
              "the signature is the 8-byte magic")


def thumbnail(a, env, src, out, size=128):
    if os.path.exists(out):
        os.unlink(out)
    return run_rss([a.thumbnailer, "-s", str(size), src, out], env=host_env(a, env))


def mode_pixbuf(a, work, checks):
    env = pixbuf_env(a, work)
    files = make_files(a, work)
    for f in files:
        rc, out, err = run([a.check, "load", f], env=env)
        checks.ok(rc == 0, f"pixbuf_check load {os.path.basename(f)}: {(out + err).strip()}")

    for f in files:
        name = os.path.basename(f)
        thumb = os.path.join(work, name + ".png")
        rc, out, err, _ = thumbnail(a, env, f, thumb)
        checks.ok(rc == 0 and os.path.exists(thumb),
                  f"gdk-pixbuf-thumbnailer -s 128 {name} exits 0 and writes a PNG {err.strip()}")
        if os.path.exists(thumb):
            rc, out, err = run([a.check, "thumb", f, thumb, "128"], env=env)
            checks.ok(rc == 0, f"thumbnail of {name}: {(out + err).strip()}")

    # A file:// URI (as file managers pass %u), an extension-less file (the
    # type comes from the magic), and a 64-pixel thumbnail.
    grey = files[0]
    uri = "file://" + os.path.abspath(grey)
    noext = os.path.join(work, "picture")
    shutil.copyfile(files[5], noext)
    for src, ref, size, what in [(uri, grey, 128, "a file:// URI"),
                                 (noext, files[5], 128, "an extension-less RGBA file"),
                                 (grey, grey, 64, "-s 64")]:
        thumb = os.path.join(work, "t.png")
        rc, out, err, _ = thumbnail(a, env, src, thumb, size)
        checks.ok(rc == 0 and os.path.exists(thumb), f"thumbnailer on {what} exits 0 {err.strip()}")
        if os.path.exists(thumb):
            rc, out, err = run([a.check, "thumb", ref, thumb, str(size)], env=env)
            checks.ok(rc == 0, f"thumbnail of {what}: {(out + err).strip()}")

    # Our .thumbnailer entry, as a file manager reads and runs it.
    entry = {}
    with open(a.thumbnailer_entry) as fh:
        lines = fh.read().splitlines()
    checks.ok(lines[0] == "[Thumbnailer Entry]", "the entry's group is [Thumbnailer Entry]")
    for line in lines[1:]:
        key, _, value = line.partition("=")
        entry[key] = value
    checks.ok(entry.get("MimeType") == "image/x-dir;", "the entry is for image/x-dir")
    checks.ok(os.access(entry.get("TryExec", ""), os.X_OK),
              f"TryExec {entry.get('TryExec')} is the installed thumbnailer")
    thumb = os.path.join(work, "entry.png")
    cmd = [{"%s": "128", "%u": uri, "%o": thumb}.get(w, w) for w in entry["Exec"].split()]
    rc, out, err = run(cmd, env=host_env(a, env))
    checks.ok(rc == 0 and os.path.exists(thumb), f"the entry's Exec ({' '.join(cmd)}) exits 0")
    if os.path.exists(thumb):
        rc, out, err = run([a.check, "thumb", grey, thumb, "128"], env=env)
        checks.ok(rc == 0, f"thumbnail by the entry's command: {(out + err).strip()}")


def mode_malformed(a, work, checks):
    env = pixbuf_env(a, work)
    # a version-1 file (seed-pure mode) and a version-2 one
    good = encode(a, os.path.join(a.samples, "chess.png"), os.path.join(work, "good.dir"),
                  "--backend", "none", "--filter", "none")
    with open(good, "rb") as fh:
        data = fh.read()
    good2 = encode(a, os.path.join(a.samples, "chess.png"), os.path.join(work, "good2.dir"))
    with open(good2, "rb") as fh:
        data2 = fh.read()
    v2_crc = bytearray(data2)
    v2_crc[20] ^= 0x01
    v2_depth = bytearray(data2)
    v2_depth[10] = 12
    v2_chunks = bytearray(data2)
    v2_chunks[24] = 1
    bad_crc = bytearray(data)
    bad_crc[24] ^= 0x01
    bad_magic = bytearray(data)
    bad_magic[3] = ord("X")
    bad_filter = bytearray(data)
    bad_filter[10] = 5
    bad_version = bytearray(data)
    bad_version[8] = 9
    cases = [
        ("truncated", data[:-1], "corrupt", "truncated at byte %d" % (len(data) - 1)),
        ("truncated-header", data[:50], "corrupt", "truncated at byte 50: the header needs 112"),
        ("bad-crc", bytes(bad_crc), "corrupt", "CRC mismatch"),
        ("bad-magic", bytes(bad_magic), "unknown", "bad magic"),
        ("bad-filter", bytes(bad_filter), "corrupt", "filter 5 out of range"),
        ("bad-version", bytes(bad_version), "unknown", "unsupported version 9"),
        ("trailing", data + bytes(10), "corrupt", "trailing bytes after the declared"),
        ("v2-truncated-header", data2[:50], "corrupt",
         "truncated at byte 50: a .dir file has at least 112 bytes"),
        ("v2-bad-crc", bytes(v2_crc), "corrupt", "CRC mismatch"),
        ("v2-bad-depth", bytes(v2_depth), "corrupt", "depth 12 out of range"),
        ("v2-bad-chunks", bytes(v2_chunks), "corrupt", "cannot hold 1 chunks"),
    ]
    for name, path in hostile.bomb_files(work).items():
        with open(path, "rb") as fh:
            cases.append((name, fh.read(), "memory",
                          "image 65535x65535 has 4294836225 pixels, over the limit of"))

    for name, blob, kind, text in cases:
        path = os.path.join(work, name + ".dir")
        with open(path, "wb") as fh:
            fh.write(blob)
        rc, out, err = run([a.check, "error", path, kind, text], env=env)
        checks.ok(rc == 0, f"{name}: GdkPixbufError {kind}, the core's message: "
                  f"{(out + err).strip()}")
        thumb = os.path.join(work, name + ".png")
        rc, out, err, rss = thumbnail(a, env, path, thumb)
        checks.ok(rc == 1, f"{name}: gdk-pixbuf-thumbnailer exits 1 (got {rc})")
        checks.ok(text in err, f"{name}: the thumbnailer's warning has \"{text}\" ({err.strip()})")
        checks.ok(not os.path.exists(thumb), f"{name}: no thumbnail written")
        checks.ok(rss < RSS_MAX_KIB, f"{name}: peak RSS {rss} KiB < {RSS_MAX_KIB} KiB")


def gio_type(gio, path, env):
    rc, out, err = run([gio, "info", "-a", "standard::content-type", path], env=env)
    if rc != 0:
        raise Failure(f"gio info {path}: {out}{err}")
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("standard::content-type:"):
            return line.split(":", 3)[-1].strip()
    raise Failure(f"gio info {path} gave no content type:\n{out}")


def mode_mime(a, work, checks):
    gio = need("gio")
    umd = need("update-mime-database")
    data = os.path.join(work, "xdg")
    os.makedirs(os.path.join(data, "mime", "packages"))
    shutil.copy(a.xml, os.path.join(data, "mime", "packages"))
    rc, out, err = run([umd, os.path.join(data, "mime")])
    checks.ok(rc == 0, f"update-mime-database {data}/mime exits 0 {err.strip()}")
    checks.ok(os.path.exists(os.path.join(data, "mime", "mime.cache")), "mime.cache written")
    with open(os.path.join(data, "mime", "image", "x-dir.xml")) as fh:
        checks.ok("Direccional image" in fh.read(), "image/x-dir.xml carries the comment")

    home = os.path.join(work, "home")
    os.makedirs(home)
    env = dict(os.environ, XDG_DATA_DIRS=data + ":/usr/share", XDG_DATA_HOME=home)
    system = dict(os.environ, XDG_DATA_DIRS="/usr/share", XDG_DATA_HOME=home)

    grey = encode(a, os.path.join(a.samples, "grey.png"), os.path.join(work, "grey.dir"))
    rgba = encode(a, os.path.join(a.samples, "alpha.png"), os.path.join(work, "alpha.dir"),
                  "--backend", "none")
    with open(grey, "rb") as fh:
        blob = fh.read()
    noext = os.path.join(work, "picture")
    shutil.copyfile(grey, noext)
    noext_rgba = os.path.join(work, "another")
    shutil.copyfile(rgba, noext_rgba)
    partial = os.path.join(work, "partial")
    with open(partial, "wb") as fh:
        fh.write(blob[:7] + b"\0" + blob[8:])

    for path, what in [(noext, "an extension-less grey .dir"),
                       (noext_rgba, "an extension-less RGBA .dir (back end none)"),
                       (grey, "grey.dir")]:
        t = gio_type(gio, path, env)
        checks.ok(t == "image/x-dir", f"gio info: {what} is {t}")
    t = gio_type(gio, noext, system)
    checks.ok(t != "image/x-dir", f"without the entry the extension-less file is {t}")
    t = gio_type(gio, partial, env)
    checks.ok(t != "image/x-dir", f"a file whose magic differs in byte 7 is {t}")
    # The generic icon file managers fall back to.
    rc, out, err = run([gio, "info", "-a", "standard::icon", noext], env=env)
    icons = [line.split(":", 3)[-1] for line in out.splitlines() if "standard::icon:" in line]
    names = [n.strip() for n in icons[0].split(",")] if icons else []
    checks.ok("image-x-generic" in names, f"gio info: icons {', '.join(names)}")


def mode_file(a, work, checks):
    file_prog = need("file")
    files = [
        (encode(a, os.path.join(a.samples, "grey.png"), os.path.join(work, "grey.dir")),
         "version 2, 480 x 320, grey (1 channel), 8 bits per sample"),
        (encode(a, os.path.join(a.samples, "gradient.png"), os.path.join(work, "gradient.dir"),
                "--backend", "none", "--filter", "none"),
         "version 1, 320 x 200, RGB (3 channels)"),
        (encode(a, os.path.join(a.samples, "alpha.png"), os.path.join(work, "alpha.dir"),
                "--interleaved", "--version", "1"), "version 1, 200 x 200, RGBA (4 channels)"),
    ]
    # by content: an extension-less copy
    shutil.copyfile(files[2][0], os.path.join(work, "alpha"))
    files[2] = (os.path.join(work, "alpha"), files[2][1])
    for path, desc in files:
        want = "Direccional .dir image data, " + desc
        rc, out, err = run([file_prog, "-b", "-m", a.magic, path])
        checks.ok(rc == 0 and out.strip() == want,
                  f"file -m {os.path.basename(a.magic)} {os.path.basename(path)}: {out.strip()}")
    path = files[0][0]
    rc, out, err = run([file_prog, "-b", "--mime-type", "-m", a.magic, path])
    checks.ok(out.strip() == "image/x-dir", f"file --mime-type: {out.strip()}")
    rc, out, err = run([file_prog, "-b", "--extension", "-m", a.magic, path])
    checks.ok(out.strip() == "dir", f"file --extension: {out.strip()}")

    # Compiles without complaint, and works in front of the system's magic.
    comp = os.path.join(work, "compile")
    os.makedirs(comp)
    shutil.copy(a.magic, os.path.join(comp, "direccional"))
    rc, out, err = run([file_prog, "-C", "-m", "direccional"], cwd=comp)
    checks.ok(rc == 0 and err.strip() == "" and
              os.path.exists(os.path.join(comp, "direccional.mgc")),
              f"file -C compiles the fragment ({err.strip()})")
    system = "/usr/share/misc/magic"
    both = a.magic + ":" + system
    rc, out, err = run([file_prog, "-b", "-m", both, path])
    checks.ok(out.strip() == "Direccional .dir image data, " + files[0][1],
              f"file -m ours:{system} on a .dir: {out.strip()}")
    png = os.path.join(a.samples, "grey.png")
    rc, out, err = run([file_prog, "-b", "-m", both, png])
    checks.ok(out.startswith("PNG image data"), f"file -m ours:{system} on a PNG: {out.strip()}")
    rc, out, err = run([file_prog, "-b", "-m", a.magic, png])
    checks.ok("Direccional" not in out, f"a PNG is not a .dir: {out.strip()}")


def mode_install(a, work, checks):
    stage = os.path.join(work, "stage")
    env = dict(os.environ, DESTDIR=stage)
    # Not --no-rebuild: `meson test` builds only the tests' dependencies, so
    # after a fresh `meson setup && meson test` (CI) the shared library had
    # not been built.  The test is not parallel.
    rc, out, err = run(["meson", "install", "-C", a.build, "--quiet"], env=env)
    checks.ok(rc == 0, f"DESTDIR={stage} meson install exits 0 {err.strip()[-2000:]}")
    if rc != 0:
        return

    def staged(path):
        return stage + path

    datadir = os.path.join(a.prefix, a.datadir)
    module = staged(os.path.join(a.moduledir, "libpixbufloader-dir.so"))
    entry = staged(os.path.join(datadir, "thumbnailers", "direccional.thumbnailer"))
    xml = staged(os.path.join(datadir, "mime", "packages", "direccional.xml"))
    magic = staged(os.path.join(datadir, "file", "magic", "direccional"))
    for path in (module, entry, xml, magic):
        checks.ok(os.path.isfile(path), f"installed: {path[len(stage):]}")
    cache_dir = os.path.dirname(staged(a.moduledir))
    checks.ok(not os.path.exists(os.path.join(cache_dir, "loaders.cache")),
              "under DESTDIR the loader cache is not written")
    checks.ok(not os.path.exists(staged(os.path.join(datadir, "mime", "mime.cache"))),
              "under DESTDIR the MIME database is not compiled")
    with open(xml, "rb") as fh, open(a.xml, "rb") as src:
        checks.ok(fh.read() == src.read(), "the installed MIME entry is the source's")
    with open(magic, "rb") as fh, open(a.magic, "rb") as src:
        checks.ok(fh.read() == src.read(), "the installed magic is the source's")
    rc, out, err = run(["nm", "-D", "--defined-only", module])
    exported = sorted(line.split()[-1] for line in out.splitlines() if " T " in line)
    checks.ok(exported == ["fill_info", "fill_vtable"],
              f"the module exports fill_info and fill_vtable only ({exported})")

    # What a packager's triggers do, on the staged files.
    rc, cache, err = run([a.query_loaders, module], env=host_env(a))
    checks.ok(rc == 0 and '"image/x-dir" ""' in cache,
              "gdk-pixbuf-query-loaders on the installed module lists image/x-dir")
    cache_file = os.path.join(work, "loaders.cache")
    with open(cache_file, "w") as fh:
        fh.write(cache)
    rc, out, err = run(["update-mime-database", staged(os.path.join(datadir, "mime"))])
    checks.ok(rc == 0, "update-mime-database on the installed MIME directory")
    home = os.path.join(work, "home")
    os.makedirs(home)
    env = dict(os.environ, GDK_PIXBUF_MODULE_FILE=cache_file, XDG_DATA_HOME=home,
               XDG_DATA_DIRS=staged(datadir) + ":/usr/share")
    src = os.path.join(work, "picture")
    shutil.copyfile(encode(a, os.path.join(a.samples, "alpha.png"),
                           os.path.join(work, "alpha.dir")), src)
    thumb = os.path.join(work, "thumb.png")
    rc, out, err = run([a.thumbnailer, "-s", "128", src, thumb], env=host_env(a, env))
    checks.ok(rc == 0 and os.path.exists(thumb),
              f"the installed loader and MIME entry thumbnail an extension-less .dir {err.strip()}")
    if os.path.exists(thumb):
        rc, out, err = run([a.check, "thumb", src, thumb, "128"], env=env)
        checks.ok(rc == 0, f"that thumbnail: {(out + err).strip()}")


MODES = {
    "query-loaders": mode_query_loaders,
    "pixbuf": mode_pixbuf,
    "malformed": mode_malformed,
    "mime": mode_mime,
    "file": mode_file,
    "install": mode_install,
}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=sorted(MODES))
    p.add_argument("--dirtool")
    p.add_argument("--check", help="pixbuf_check")
    p.add_argument("--samples")
    p.add_argument("--module", help="the built libpixbufloader-dir.so")
    p.add_argument("--cache", help="the loader cache generated in the build directory")
    p.add_argument("--mime-data", help="the MIME database staged in the build directory")
    p.add_argument("--query-loaders")
    p.add_argument("--thumbnailer")
    p.add_argument("--thumbnailer-entry")
    p.add_argument("--xml")
    p.add_argument("--magic")
    p.add_argument("--build")
    p.add_argument("--prefix")
    p.add_argument("--datadir")
    p.add_argument("--moduledir")
    p.add_argument("--preload", default="",
                   help="the ASan runtime, preloaded into gdk-pixbuf's programs "
                        "when the module is instrumented")
    a = p.parse_args()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="dir-desktop-") as work:
        try:
            MODES[a.mode](a, work, checks)
        except Failure as e:
            checks.ok(False, str(e))
    return checks.done()


if __name__ == "__main__":
    sys.exit(main())
