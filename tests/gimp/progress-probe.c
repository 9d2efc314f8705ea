/* SPDX-License-Identifier: MIT */
/*
 * progress-probe.c -- a GIMP 2.10 test plug-in that watches the progress
 * another plug-in reports, as GIMP hands it on.  Its procedure plug-in-dir-progress-probe installs a progress
 * of its own (gimp_progress_install_vtable), which GIMP hands to the
 * procedures it calls, then opens IN with gimp-file-load and, when OUT is
 * not empty, saves that image to OUT with gimp-file-save.  Every progress
 * call it receives while doing so is written to LOG, one per line:
 *
 *   start MESSAGE | text MESSAGE | value FRACTION | pulse | end
 *
 * and "loaded", "saved" (or "load failed", "save failed") after each step.
 * Not installed: tests/gimp/gimp_tests.py puts its build folder on a test
 * profile's plug-in-path (mode progress).  GIMP 3.0.4 refuses such a
 * progress (see progress-shim.c, its test's helper instead).
 */

#include <stdio.h>

#include <libgimp/gimp.h>

#define PROBE_PROC "plug-in-dir-progress-probe"

typedef struct
{
  FILE *log;
} Probe;

static void
probe_start (const gchar *message,
             gboolean     cancelable,
             gpointer     user_data)
{
  Probe *probe = user_data;

  (void) cancelable;
  fprintf (probe->log, "start %s\n", message ? message : "");
}

static void
probe_end (gpointer user_data)
{
  Probe *probe = user_data;

  fprintf (probe->log, "end\n");
}

static void
probe_text (const gchar *message,
            gpointer     user_data)
{
  Probe *probe = user_data;

  fprintf (probe->log, "text %s\n", message ? message : "");
}

static void
probe_value (gdouble  fraction,
             gpointer user_data)
{
  Probe *probe = user_data;

  fprintf (probe->log, "value %.6f\n", fraction);
}

static void
probe_pulse (gpointer user_data)
{
  Probe *probe = user_data;

  fprintf (probe->log, "pulse\n");
}

/* Opens `in` and saves it to `out` (when not empty) with the probe's
 * progress installed; FALSE when LOG cannot be written. */
static gboolean
probe_run (const gchar *in,
           const gchar *out,
           const gchar *log)
{
  GimpProgressVtable vtable = { 0 };
  Probe              probe;
  const gchar       *callback;
  gboolean           ok = TRUE;

  probe.log = fopen (log, "w");
  if (! probe.log)
    return FALSE;

  vtable.start     = probe_start;
  vtable.end       = probe_end;
  vtable.set_text  = probe_text;
  vtable.set_value = probe_value;
  vtable.pulse     = probe_pulse;

  callback = gimp_progress_install_vtable (&vtable, &probe);
  {
    gint32 image_ID = gimp_file_load (GIMP_RUN_NONINTERACTIVE, in, in);

    fprintf (probe.log, image_ID != -1 ? "loaded\n" : "load failed\n");
    if (image_ID != -1 && out[0])
      fprintf (probe.log,
               gimp_file_save (GIMP_RUN_NONINTERACTIVE, image_ID,
                               gimp_image_get_active_drawable (image_ID),
                               out, out)
               ? "saved\n" : "save failed\n");
    if (image_ID != -1)
      gimp_image_delete (image_ID);
  }

  /* The progress is ended, not uninstalled: with GIMP 2.10, uninstalling
   * it makes GIMP lose this procedure's return values ("returned no return
   * values"), and leaving it active makes GIMP call it after this plug-in
   * has quit. */
  if (callback)
    gimp_progress_end ();
  else
    fprintf (probe.log, "no progress installed\n");

  if (fclose (probe.log) != 0)
    ok = FALSE;

  return ok;
}


static void
query (void)
{
  static const GimpParamDef args[] =
  {
    { GIMP_PDB_INT32,  "run-mode", "The run mode" },
    { GIMP_PDB_STRING, "in",       "File to open" },
    { GIMP_PDB_STRING, "out",      "File to save to, or empty" },
    { GIMP_PDB_STRING, "log",      "File the progress calls go to" }
  };

  gimp_install_procedure (PROBE_PROC,
                          "Records the progress of a load and a save",
                          "A test of the .dir plug-in's progress.",
                          "direccional", "direccional", "2026",
                          NULL, NULL, GIMP_PLUGIN,
                          G_N_ELEMENTS (args), 0, args, NULL);
}

static void
run (const gchar      *name,
     gint              nparams,
     const GimpParam  *param,
     gint             *nreturn_vals,
     GimpParam       **return_vals)
{
  static GimpParam values[1];
  gboolean         ok = FALSE;

  (void) name;
  if (nparams == 4)
    ok = probe_run (param[1].data.d_string ? param[1].data.d_string : "",
                    param[2].data.d_string ? param[2].data.d_string : "",
                    param[3].data.d_string ? param[3].data.d_string : "");

  values[0].type          = GIMP_PDB_STATUS;
  values[0].data.d_status = ok ? GIMP_PDB_SUCCESS : GIMP_PDB_EXECUTION_ERROR;
  *nreturn_vals = 1;
  *return_vals  = values;
}

const GimpPlugInInfo PLUG_IN_INFO =
{
  NULL,
  NULL,
  query,
  run,
};

MAIN ()
