/* SPDX-License-Identifier: MIT */
/*
 * file-dir-tensors.c -- Filters > Generic > Tensor heatmap: every tensor
 * of a self-describing array image (decoded by the core's
 * dira_decode_tensors ()) as a layer of its own, named after the tensor,
 * drawn by the same code as `dirtool array heatmap` (heat_render_panel ():
 * title, the tensor in its shape, colour bar, statistics).  The layers are
 * stacked top to bottom over a white background, so the flattened image is
 * the picture dirtool writes.
 */

#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"
#include "heatmap_render.h"

static void
tensors_error (GimpParam   *values,
               gint        *nreturn_vals,
               const gchar *message)
{
  values[0].data.d_status = GIMP_PDB_EXECUTION_ERROR;
  values[1].type          = GIMP_PDB_STRING;
  values[1].data.d_string = g_strdup (message);
  *nreturn_vals           = 2;
}

void
dir_tensor_heatmap_run (gint             nparams,
                        const GimpParam *param,
                        GimpParam       *values,
                        gint            *nreturn_vals)
{
  GimpRunMode        run_mode;
  dira_heat_options  hopt;
  dira_options       opt;
  dira_tensors      *ts = NULL;
  dir_diag           diag;
  dir_error          err;
  gint32             drawable_ID;
  gint32             image_ID;
  guchar            *pixels;
  guint              channels;
  guint              zoom = 0;
  guint8           **panels;
  guint32           *pw;
  guint32           *ph;
  guint32            width  = 0;
  guint32            height = 0;
  gint               layers = 0;
  gchar              msg[1100];
  size_t             i;

  memset (&hopt, 0, sizeof hopt);

  if (nparams < 3)
    return;

  run_mode    = param[0].data.d_int32;
  drawable_ID = param[2].data.d_drawable;

  if (run_mode == GIMP_RUN_NONINTERACTIVE)
    {
      if (nparams != 7)
        return;
      if (param[3].data.d_int32 < 0 || param[3].data.d_int32 > 64 ||
          ! (param[4].data.d_float >= 0.0 && param[4].data.d_float <= G_MAXDOUBLE) ||
          param[5].data.d_int32 < 0 || param[6].data.d_int32 < 0 ||
          (param[5].data.d_int32 == 0) != (param[6].data.d_int32 == 0))
        {
          tensors_error (values, nreturn_vals,
                         "zoom 0..64, scale >= 0, tile-rows and tile-cols both 0 or both positive");
          return;
        }
      zoom           = (guint) param[3].data.d_int32;
      hopt.scale     = param[4].data.d_float;
      hopt.tile_rows = (uint32_t) param[5].data.d_int32;
      hopt.tile_cols = (uint32_t) param[6].data.d_int32;
    }
  else
    {
      gimp_ui_init (PLUG_IN_BINARY, FALSE);
    }

  if (! gimp_item_is_layer (drawable_ID))
    {
      tensors_error (values, nreturn_vals, "The tensor heatmap works on a layer");
      return;
    }

  pixels = dir_read_drawable (drawable_ID, &channels);
  if (! pixels)
    {
      tensors_error (values, nreturn_vals, "Out of memory reading the layer's pixels");
      return;
    }

  gimp_progress_init ("Decoding the tensors");

  dira_options_default (&opt);
  err = dira_decode_tensors (pixels,
                             gimp_drawable_width (drawable_ID),
                             gimp_drawable_height (drawable_ID),
                             channels, 0, &opt, &ts, NULL, &diag);
  g_free (pixels);

  if (err != DIR_OK)
    {
      g_snprintf (msg, sizeof msg, "Could not read the tensors: %s",
                  diag.message[0] ? diag.message : dir_strerror (err));
      tensors_error (values, nreturn_vals, msg);
      return;
    }

  panels = g_new0 (guint8 *, ts->count + 1);
  pw     = g_new0 (guint32, ts->count + 1);
  ph     = g_new0 (guint32, ts->count + 1);

  for (i = 0; i < ts->count; i++)
    {
      const dira_tensor *t = &ts->tensors[i];
      dira_heat_options  o = hopt;
      dira_heat          heat;
      guint64            rc = (guint64) o.tile_rows * o.tile_cols;

      if (dira_tensor_elements (t) == 0)
        continue;

      /* tiles only where the rows (or 2-D columns) fit, as dirtool does */
      if (o.tile_rows &&
          ! (t->rank >= 2 && (t->shape[t->rank - 1] == rc ||
                              (t->rank == 2 && t->shape[0] == rc))))
        o.tile_rows = o.tile_cols = 0;

      if (heat_render_panel (t, &o, zoom, &panels[i], &pw[i], &ph[i], &heat,
                             msg, sizeof msg) != 0)
        break;

      width   = MAX (width, pw[i]);
      height += ph[i];
      gimp_progress_update ((gdouble) (i + 1) / ts->count);
    }

  if (i < ts->count || height == 0 || width > GIMP_MAX_IMAGE_SIZE ||
      height > GIMP_MAX_IMAGE_SIZE)
    {
      if (i == ts->count)
        g_snprintf (msg, sizeof msg, height == 0 ? "No tensor has values to draw"
                                                 : "The heatmap is larger than GIMP's largest image");
      tensors_error (values, nreturn_vals, msg);
    }
  else
    {
      gint32      bg_ID;
      GeglBuffer *buffer;
      guint32     y = 0;

      image_ID = gimp_image_new_with_precision (width, height, GIMP_RGB,
                                                GIMP_PRECISION_U8_GAMMA);
      gimp_image_undo_disable (image_ID);

      bg_ID = gimp_layer_new (image_ID, "Background", width, height,
                              GIMP_RGB_IMAGE, 100,
                              gimp_image_get_default_new_layer_mode (image_ID));
      gimp_image_insert_layer (image_ID, bg_ID, -1, 0);
      gimp_context_push ();
      gimp_context_set_background (&(GimpRGB) { 1.0, 1.0, 1.0, 1.0 });
      gimp_drawable_fill (bg_ID, GIMP_FILL_BACKGROUND);
      gimp_context_pop ();

      for (i = 0; i < ts->count; i++)
        {
          const gchar *name = ts->tensors[i].name[0] ? ts->tensors[i].name : "(unnamed)";
          gint32       layer_ID;

          if (! panels[i])
            continue;

          layer_ID = gimp_layer_new (image_ID, name, pw[i], ph[i],
                                     GIMP_RGB_IMAGE, 100,
                                     gimp_image_get_default_new_layer_mode (image_ID));
          /* the first tensor on top, as in the list of the file */
          gimp_image_insert_layer (image_ID, layer_ID, -1, layers);
          gimp_layer_set_offsets (layer_ID, 0, (gint) y);

          buffer = gimp_drawable_get_buffer (layer_ID);
          gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, pw[i], ph[i]), 0,
                           babl_format ("R'G'B' u8"), panels[i], GEGL_AUTO_ROWSTRIDE);
          g_object_unref (buffer);

          y += ph[i];
          layers++;
        }

      gimp_image_undo_enable (image_ID);

      if (run_mode == GIMP_RUN_INTERACTIVE)
        gimp_display_new (image_ID);

      *nreturn_vals = 3;
      values[0].data.d_status = GIMP_PDB_SUCCESS;
      values[1].type          = GIMP_PDB_IMAGE;
      values[1].data.d_image  = image_ID;
      values[2].type          = GIMP_PDB_INT32;
      values[2].data.d_int32  = layers;
    }

  for (i = 0; i < ts->count; i++)
    free (panels[i]);
  g_free (panels);
  g_free (pw);
  g_free (ph);
  dir_free (ts);
}
