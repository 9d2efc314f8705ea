/* SPDX-License-Identifier: MIT */
/*
 * progress-shim.c -- a test library preloaded into the GIMP 3 plug-in
 * (GIMP_PLUGIN_DEBUG_WRAP=file-dir,run with GIMP_PLUGIN_DEBUG_WRAPPER=
 * "env LD_PRELOAD=this DIR_PROGRESS_LOG=LOG"): it records every progress
 * call the plug-in makes to libgimp-3.0 in LOG, in the format of
 * progress-probe.c (start MESSAGE, value FRACTION), then passes the call
 * on to libgimp.
 *
 * Why not the probe (progress-probe.c, the GIMP 2.10 test's): in GIMP 3.0.4
 * gimp_progress_install_vtable returns NULL, so another plug-in cannot
 * watch the progress there (GIMP's gimp-progress-install refuses the
 * callback; the core source we read checks for an int command argument
 * where libgimp 3 declares an enum).  Not installed.
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <libgimp/gimp.h>

static void
shim_log (const gchar *fmt, ...) G_GNUC_PRINTF (1, 2);

static void
shim_log (const gchar *fmt, ...)
{
  const gchar *path = getenv ("DIR_PROGRESS_LOG");
  FILE        *f;
  va_list      ap;

  if (! path || ! (f = fopen (path, "a")))
    return;
  va_start (ap, fmt);
  vfprintf (f, fmt, ap);
  va_end (ap);
  fclose (f);
}

static gboolean
real_init (const gchar *message)
{
  gboolean (* init) (const gchar *) =
    (gboolean (*) (const gchar *)) dlsym (RTLD_NEXT, "gimp_progress_init");

  return init ? init (message) : FALSE;
}

gboolean
gimp_progress_init (const gchar *message)
{
  shim_log ("start %s\n", message ? message : "");
  return real_init (message);
}

gboolean
gimp_progress_init_printf (const gchar *format,
                           ...)
{
  gchar    *text;
  gboolean  ok;
  va_list   ap;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  shim_log ("start %s\n", text);
  ok = real_init (text);
  g_free (text);
  return ok;
}

gboolean
gimp_progress_update (gdouble percentage)
{
  gboolean (* update) (gdouble) =
    (gboolean (*) (gdouble)) dlsym (RTLD_NEXT, "gimp_progress_update");

  shim_log ("value %.6f\n", percentage);
  return update ? update (percentage) : FALSE;
}
