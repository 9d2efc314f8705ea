/* SPDX-License-Identifier: MIT */
/*
 * file-dir.h -- shared declarations of the GIMP 2.10 .dir file plug-in.
 *
 * The plug-in is glue only: every byte of the format is read and written
 * by the core library (core/dir.h).
 */

#ifndef FILE_DIR_H
#define FILE_DIR_H

#include <libgimp/gimp.h>

#include "dir.h"
#include "dir-gimp-common.h"

#define LOAD_PROC       "file-dir-load"
#define LOAD_THUMB_PROC "file-dir-load-thumb"
#define SAVE_PROC       "file-dir-save"
#define HEATMAP_PROC    "plug-in-dir-array-heatmap"
#define TENSORS_PROC    "plug-in-dir-tensor-heatmap"
#define PLUG_IN_BINARY  "file-dir"
#define PLUG_IN_ROLE    "gimp-file-dir"

/* Name of the image parasite holding the export options, as text such as
 * "backend=zstd filter=auto layout=ordered level=19". */
#define DIR_PARASITE    "dir-save-options"


/* Export options, kept with gimp_set_data () between exports. */
typedef struct
{
  gint backend;   /* dir_backend */
  gint filter;    /* dir_filter  */
  gint layout;    /* dir_layout  */
  gint level;     /* zstd level 1..22 */
} DirSaveVals;

/* file-dir-load.c */
gint32    dir_load_image           (const gchar         *filename,
                                    guint64              max_pixels,
                                    GError             **error);

/* file-dir-save.c */
void      dir_save_vals_default    (DirSaveVals         *vals);
void      dir_save_vals_from_text  (DirSaveVals         *vals,
                                    const gchar         *text);
gchar   * dir_save_vals_to_text    (const DirSaveVals   *vals,
                                    gboolean             with_level);
void      dir_save_vals_attach     (gint32               image_ID,
                                    const DirSaveVals   *vals,
                                    gboolean             with_level);
void      dir_save_vals_from_image (DirSaveVals         *vals,
                                    gint32               image_ID);
gboolean  dir_save_vals_parse      (DirSaveVals         *vals,
                                    const gchar         *backend,
                                    const gchar         *filter,
                                    const gchar         *layout,
                                    gint                 level,
                                    GError             **error);
gboolean  dir_save_dialog          (DirSaveVals         *vals);
gboolean  dir_save_image           (const gchar         *filename,
                                    gint32               drawable_ID,
                                    const DirSaveVals   *vals,
                                    GError             **error);

/* file-dir-heatmap.c: HEATMAP_PROC and TENSORS_PROC */
void      dir_heatmap_run          (const gchar         *name,
                                    gint                 nparams,
                                    const GimpParam     *param,
                                    GimpParam           *values,
                                    gint                *nreturn_vals);
/* The layer's pixels as R'G'B' or R'G'B'A u8 (g_free them). */
guchar   *dir_read_drawable        (gint32               drawable_ID,
                                    guint               *channels);

#endif /* FILE_DIR_H */
