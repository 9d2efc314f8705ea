/* SPDX-License-Identifier: MIT */
/* fuzz_magick.c -- libFuzzer harness for the ImageMagick 6 and 7 DIR coders, driven
 * the way ImageMagick's own fuzzers drive a coder: MagickCoreGenesis once,
 * then BlobToImage with the magick set to "DIR", under small resource limits
 * so a hostile header is refused by the policy instead of exhausting memory.
 * When an image reads, it is written back as DIR (ImageToBlob) and must read
 * again with the same size.  The module is found through
 * MAGICK_CODER_MODULE_PATH / MAGICK_CONFIGURE_PATH (set by the tests, as
 * for tests/magick). */
/* The same harness for ImageMagick 6 and 7 (DIR_MAGICK_MAJOR, set by
 * tests/fuzz/meson.build); only IsImagesEqual changed its arguments. */
#if DIR_MAGICK_MAJOR == 7
#include <MagickCore/MagickCore.h>
#define DIR_IMAGES_EQUAL(a, b, ex) IsImagesEqual(a, b, ex)
#else
#include <magick/MagickCore.h>
#define DIR_IMAGES_EQUAL(a, b, ex) IsImagesEqual(a, b)
#endif
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    MagickCoreGenesis((*argv)[0], MagickFalse);
    /* As ImageMagick's fuzzers do: keep every image small. */
    (void)SetMagickResourceLimit(WidthResource, 4096);
    (void)SetMagickResourceLimit(HeightResource, 4096);
    (void)SetMagickResourceLimit(AreaResource, (MagickSizeType)4 << 20);
    (void)SetMagickResourceLimit(MemoryResource, (MagickSizeType)256 << 20);
    (void)SetMagickResourceLimit(MapResource, (MagickSizeType)256 << 20);
    (void)SetMagickResourceLimit(DiskResource, 0);
    /* The harness must run the DIR coder, not fall back to another. */
    ExceptionInfo *ex = AcquireExceptionInfo();
    const MagickInfo *mi = GetMagickInfo("DIR", ex);
    ex = DestroyExceptionInfo(ex);
    if (!mi || !mi->decoder) {
        fprintf(stderr, "fuzz_magick: ImageMagick has no DIR coder "
                        "(set MAGICK_CODER_MODULE_PATH to the staged coders)\n");
        exit(1);
    }
    return 0;
}

static Image *read_dir(const void *data, size_t size, ExceptionInfo *ex)
{
    ImageInfo *ii = AcquireImageInfo();
    (void)CopyMagickString(ii->magick, "DIR", MaxTextExtent);
    Image *img = BlobToImage(ii, data, size, ex);
    ii = DestroyImageInfo(ii);
    return img;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ExceptionInfo *ex = AcquireExceptionInfo();
    Image *img = read_dir(data, size, ex);
    if (!img) {
        /* A refusal is an error with a reason, never silence. */
        FUZZ_CHECK(ex->severity >= ErrorException);
        ex = DestroyExceptionInfo(ex);
        return 0;
    }
    /* The coder writes only the first frame (adjoin off). */
    ImageInfo *wi = AcquireImageInfo();
    (void)CopyMagickString(wi->magick, "DIR", MaxTextExtent);
    (void)CopyMagickString(img->magick, "DIR", MaxTextExtent);
    size_t blob_len = 0;
    ClearMagickException(ex);
    void *blob = ImageToBlob(wi, img, &blob_len, ex);
    wi = DestroyImageInfo(wi);
    if (blob) {
        Image *again = read_dir(blob, blob_len, ex);
        if (!again) fprintf(stderr, "re-read failed: %s\n", ex->reason ? ex->reason : "?");
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(again->columns == img->columns && again->rows == img->rows);
        /* Lossless: the pixels read back are the pixels written. */
        FUZZ_CHECK(DIR_IMAGES_EQUAL(again, img, ex) != MagickFalse);
        again = DestroyImageList(again);
        blob = RelinquishMagickMemory(blob);
    } else {
        FUZZ_CHECK(ex->severity >= ErrorException);
    }
    img = DestroyImageList(img);
    ex = DestroyExceptionInfo(ex);
    return 0;
}
