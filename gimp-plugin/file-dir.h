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
/* file-dir-save with one more parameter, "options" (as file-png-save2 is
 * file-png-save with more): script-fu refuses a call with fewer arguments
 * than a procedure has, so file-dir-save keeps its own for the scripts
 * that use it. */
#define SAVE2_PROC      "file-dir-save2"
#define HEATMAP_PROC    "plug-in-dir-array-heatmap"
#define TENSORS_PROC    "plug-in-dir-tensor-heatmap"
#define PLUG_IN_BINARY  "file-dir"
#define PLUG_IN_ROLE    "gimp-file-dir"

/* Name of the image parasite holding the export options, as the text
 * "name=value ..." of every option of the core's table (dir_options ())
 * but the preset, such as "filter=auto backend=zstd level=9 ...". */
#define DIR_PARASITE    "dir-save-options"

/* The options file-dir-save takes as parameters of their own after the
 * five standard ones (its parameter list since the first version), and
 * file-dir-save2 after them one more, "options": "name=value ..." words of
 * any option of the table. */
#define DIR_SAVE_N_OPTION_PARAMS 5


/* Name of the image parasite holding which of the image's metadata the
 * export writes, as "include-color-profile=yes include-exif=yes
 * include-xmp=no include-comment=yes" (the names of GIMP 3's export
 * arguments, which file-dir-save2's "options" take too). */
#define DIR_METADATA_PARASITE "dir-save-metadata"

/* Export options, remembered between exports (gimp_set_data ()) and with
 * the image (DIR_PARASITE and DIR_METADATA_PARASITE) as their text: the
 * encoder's options, and the dialog's metadata switches, whose defaults
 * are the Preferences' (Image Import & Export: gimp_export_color_profile
 * (), gimp_export_exif (), gimp_export_xmp ()) and for the comment, which
 * GIMP 2.10 has no preference for, yes. */
typedef struct
{
  dir_encode_options opt;
  gboolean           save_profile;
  gboolean           save_exif;
  gboolean           save_xmp;
  gboolean           save_comment;
} DirSaveVals;

/* file-dir-load.c */
gint32    dir_load_image           (const gchar         *filename,
                                    guint64              max_pixels,
                                    gboolean             interactive,
                                    GError             **error);

/* file-dir-save.c */
void      dir_save_vals_default    (DirSaveVals         *vals);
void      dir_save_vals_from_text  (DirSaveVals         *vals,
                                    const gchar         *text);
gchar   * dir_save_vals_to_text    (const DirSaveVals   *vals);
gchar   * dir_save_metadata_to_text (const DirSaveVals  *vals);
void      dir_save_vals_attach     (gint32               image_ID,
                                    const DirSaveVals   *vals);
void      dir_save_metadata_attach (gint32               image_ID,
                                    const DirSaveVals   *vals);
void      dir_save_vals_from_image (DirSaveVals         *vals,
                                    gint32               image_ID);
void      dir_save_vals_remember   (const DirSaveVals   *vals);
void      dir_save_vals_recall     (DirSaveVals         *vals);
void      dir_save_option_params   (GimpParamDef        *params);
gboolean  dir_save_vals_parse      (DirSaveVals         *vals,
                                    gint                 nparams,
                                    const GimpParam     *param,
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
