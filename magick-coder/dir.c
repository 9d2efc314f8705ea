/* SPDX-License-Identifier: MIT */
/*
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%                                                                             %
%                                                                             %
%                            DDDD   IIIII  RRRR                               %
%                            D   D    I    R   R                              %
%                            D   D    I    RRRR                               %
%                            D   D    I    R R                                %
%                            DDDD   IIIII  R  R                               %
%                                                                             %
%                                                                             %
%        Read/Write Direccional (.dir) Images with ImageMagick 6 and 7.       %
%                                                                             %
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%
%  A loadable coder module for ImageMagick 6 (MagickCore 6.9.x, Q16) and
%  ImageMagick 7 (MagickCore 7.1.x, Q16): the same source is built once per
%  installed major version, with DIR_MAGICK_MAJOR set to 6 or 7 by meson.
%  The few differences between the two APIs (pixel accessors, where the
%  exception lives, how a format is registered) are the DIR* macros below.
%  It holds no format logic: every byte of a .dir file is read and written
%  by the core library (core/dir.h).  This file only moves pixels between
%  MagickCore's pixel cache and the core's interleaved buffers, moves the
%  metadata between ImageMagick's profiles and properties and the core's
%  dir_metadata, maps -define options (the core's option table) and -quality
%  (the core's presets), and reports the core's specific error messages.
%
%  .dir stores grey, grey+alpha, RGB and RGBA at 8 or 16 bits per sample,
%  with an ICC profile, EXIF, XMP, a comment and the density.  On write,
%  palette images are expanded, other colourspaces are transformed to sRGB,
%  images deeper than 8 bits are written with 16-bit samples, images whose
%  pixels are all grey with one channel (two with alpha), the "icc", "exif"
%  (without its "Exif\0\0" prefix) and "xmp" profiles, the comment and the
%  resolution (as pixels per metre) go into the file's chunks.
%
*/

/*
  Include declarations.
*/
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if DIR_MAGICK_MAJOR == 7
#include <MagickCore/MagickCore.h>
#else
#include <magick/MagickCore.h>
#endif

#include "dir.h"

/*
  The API differences between MagickCore 6 and 7.  In 6 a pixel is a
  PixelPacket and an image carries its own exception; in 7 a pixel is a run
  of Quantum channels, accessors take the image, and every call that can
  fail takes an ExceptionInfo.
*/
#if DIR_MAGICK_MAJOR == 7
typedef Quantum DIRPixel;
#define DIRAcquireImage(info,exception)  AcquireImage(info,exception)
#define DIRSetImageExtent(image,exception) \
  SetImageExtent(image,image->columns,image->rows,exception)
#define DIRSetImageProperty(image,key,value,exception) \
  SetImageProperty(image,key,value,exception)
#define DIRSetImageColorspace(image,space,exception) \
  SetImageColorspace(image,space,exception)
#define DIRTransformImageColorspace(image,space,exception) \
  TransformImageColorspace(image,space,exception)
#define DIRHasAlpha(image)  ((image)->alpha_trait != UndefinedPixelTrait)
#define DIRPixelStep(image)  GetPixelChannels(image)
#define DIRGetRed(image,p)  GetPixelRed(image,p)
#define DIRGetGreen(image,p)  GetPixelGreen(image,p)
#define DIRGetBlue(image,p)  GetPixelBlue(image,p)
#define DIRGetAlpha(image,p)  GetPixelAlpha(image,p)
#define DIRTextExtent  MagickPathExtent
#define DIRSetImageProfile(image,name,profile,exception) \
  SetImageProfile(image,name,profile,exception)
#define DIRGetImageProperty(image,key,exception) \
  GetImageProperty(image,key,exception)
#define DIRResolutionX(image)  ((image)->resolution.x)
#define DIRResolutionY(image)  ((image)->resolution.y)
#else
typedef PixelPacket DIRPixel;
#define DIRAcquireImage(info,exception)  AcquireImage(info)
#define DIRSetImageExtent(image,exception) \
  SetImageExtent(image,image->columns,image->rows)
#define DIRSetImageProperty(image,key,value,exception) \
  SetImageProperty(image,key,value)
#define DIRSetImageColorspace(image,space,exception) \
  SetImageColorspace(image,space)
#define DIRTransformImageColorspace(image,space,exception) \
  TransformImageColorspace(image,space)
#define DIRHasAlpha(image)  ((image)->matte != MagickFalse)
#define DIRPixelStep(image)  1
#define DIRGetRed(image,p)  GetPixelRed(p)
#define DIRGetGreen(image,p)  GetPixelGreen(p)
#define DIRGetBlue(image,p)  GetPixelBlue(p)
#define DIRGetAlpha(image,p)  GetPixelAlpha(p)
#define DIRTextExtent  MaxTextExtent
#define DIRSetImageProfile(image,name,profile,exception) \
  SetImageProfile(image,name,profile)
#define DIRGetImageProperty(image,key,exception)  GetImageProperty(image,key)
#define DIRResolutionX(image)  ((image)->x_resolution)
#define DIRResolutionY(image)  ((image)->y_resolution)
#endif

/*
  Blob and progress declarations.  MagickCore 6 exports these functions, but
  their prototypes live in blob-private.h and image-private.h, which are not
  installed; an out-of-tree module must declare them itself.  The enumeration
  values match MagickCore's BlobMode.
*/
typedef enum
{
  DIRUndefinedBlobMode,
  DIRReadBlobMode,
  DIRReadBinaryBlobMode,
  DIRWriteBlobMode,
  DIRWriteBinaryBlobMode
} DIRBlobMode;

extern MagickExport MagickBooleanType
  CloseBlob(Image *),
  OpenBlob(const ImageInfo *,Image *,const DIRBlobMode,ExceptionInfo *);

extern MagickExport ssize_t
  ReadBlob(Image *,const size_t,unsigned char *),
  WriteBlob(Image *,const size_t,const unsigned char *);

#define DIRLoadImageTag  "Load/Image"
#define DIRSaveImageTag  "Save/Image"

/*
  Bytes read from a stream (pipe, standard input) per call.
*/
#define DIRReadChunk  ((size_t) 65536)

/*
  8-bit sample to Quantum: exact for every quantum depth, since QuantumRange
  is 255 times a whole number (1, 257, 16843009...).  The other direction,
  ScaleQuantumToChar(), is public in quantum.h and rounds to nearest.
*/
#define DIRScaleCharToQuantum(value) \
  ((Quantum) ((QuantumRange/255)*(value)))

/*
  16-bit sample to Quantum and back, rounded to nearest (exact both ways at
  quantum depth 16, where QuantumRange is 65535): MagickCore 6 keeps its own
  ScaleShortToQuantum() in a private header.
*/
static inline Quantum DIRScaleShortToQuantum(const unsigned int value)
{
#if defined(MAGICKCORE_HDRI_SUPPORT)
  return((Quantum) (QuantumRange*(double) value/65535.0));
#else
  return((Quantum) (QuantumRange*(double) value/65535.0+0.5));
#endif
}

static inline uint16_t DIRScaleQuantumToShort(const Quantum quantum)
{
  double
    value;

  value=65535.0*(double) quantum/QuantumRange+0.5;
  if (value <= 0.0)
    return(0);
  if (value >= 65535.0)
    return(65535);
  return((uint16_t) value);
}

/*
  The prefix ImageMagick keeps in front of an EXIF profile (as in a JPEG
  APP1 segment); .dir, like PNG's eXIf, stores EXIF from the TIFF header on.
*/
#define DIRExifPrefix  "Exif\0\0"
#define DIRExifPrefixLength  6

static inline size_t DIRMax(const size_t x,const size_t y)
{
  return(x > y ? x : y);
}

static inline MagickSizeType DIRMin(const MagickSizeType x,
  const MagickSizeType y)
{
  return(x < y ? x : y);
}

/*
  Forward declarations.
*/
ModuleExport size_t
  RegisterDIRImage(void);

ModuleExport void
  UnregisterDIRImage(void);

#if DIR_MAGICK_MAJOR == 7
static MagickBooleanType
  WriteDIRImage(const ImageInfo *,Image *,ExceptionInfo *);
#else
static MagickBooleanType
  WriteDIRImage(const ImageInfo *,Image *);
#endif

/*
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%                                                                             %
%                                                                             %
%                                                                             %
%   I s D I R                                                                 %
%                                                                             %
%                                                                             %
%                                                                             %
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%
%  IsDIR() returns MagickTrue if the image format type, identified by the
%  magick string, is DIR.
%
%  The format of the IsDIR method is:
%
%      MagickBooleanType IsDIR(const unsigned char *magick,const size_t extent)
%
%  A description of each parameter follows:
%
%    o magick: compare image format pattern against these bytes.
%
%    o extent: Specifies the extent of the magick string.
%
*/
static MagickBooleanType IsDIR(const unsigned char *magick,const size_t extent)
{
  if (extent < DIR_MAGIC_SIZE)
    return(MagickFalse);
  if (memcmp(magick,DIR_MAGIC,DIR_MAGIC_SIZE) == 0)
    return(MagickTrue);
  return(MagickFalse);
}

/*
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%                                                                             %
%                                                                             %
%                                                                             %
%   R e a d D I R I m a g e                                                   %
%                                                                             %
%                                                                             %
%                                                                             %
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%
%  ReadDIRImage() reads a .dir image file and returns it.  It allocates the
%  memory necessary for the new Image structure and returns a pointer to the
%  new image.  The core decodes in memory, so the whole file is read first;
%  the header is checked against ImageMagick's width, height, area and memory
%  limits before any buffer sized from the file is allocated.
%
%  The format of the ReadDIRImage method is:
%
%      Image *ReadDIRImage(const ImageInfo *image_info,
%        ExceptionInfo *exception)
%
%  A description of each parameter follows:
%
%    o image_info: the image info.
%
%    o exception: return any errors or warnings in this structure.
%
*/

/*
  Limit for a MagickCore resource, narrowed to what dir_limits_restrict()
  accepts: 0 keeps the core's own maximum.
*/
static uint64_t DIRResourceLimit(const ResourceType type,const uint64_t core_max)
{
  MagickSizeType
    limit;

  limit=GetMagickResourceLimit(type);
  if ((limit == 0) || (limit >= (MagickSizeType) core_max))
    return(0);
  return((uint64_t) limit);
}

static void DIRLimitsFromResources(dir_limits *limits)
{
  dir_limits_default(limits);
  (void) dir_limits_restrict(limits,
    (uint32_t) DIRResourceLimit(WidthResource,DIR_MAX_DIM),
    (uint32_t) DIRResourceLimit(HeightResource,DIR_MAX_DIM),
    DIRResourceLimit(AreaResource,DIR_MAX_PIXELS));
}

/*
  MagickCore's severity and message tag for a core error.  An image over
  the width, height or area limit is reported as the pixel cache reports it
  (ImageError, "width or height exceeds limit"); everything else read from
  the file is a corrupt image.
*/
static ExceptionType DIRSeverity(const dir_error error)
{
  switch (error)
  {
    case DIR_ELIMIT:
      return(ImageError);
    case DIR_ENOMEM:
      return(ResourceLimitError);
    default:
      return(CorruptImageError);
  }
}

static const char *DIRReadTag(const dir_error error)
{
  switch (error)
  {
    case DIR_EMAGIC:
    case DIR_EHEADER:
      return("ImproperImageHeader");
    case DIR_EVERSION:
      return("FileFormatVersionMismatch");
    case DIR_ETRUNCATED:
      return("InsufficientImageDataInFile");
    case DIR_ELIMIT:
      return("WidthOrHeightExceedsLimit");
    case DIR_ENOMEM:
      return("MemoryAllocationFailed");
    default:
      return("CorruptImage");
  }
}

/*
  Reads the rest of the blob into a growing buffer.  `data` holds `length`
  bytes already.  The buffer is sized from the file size when the blob knows
  it, and never grows past the memory resource limit nor past `most` bytes
  (what the header declares, plus one to notice trailing data).  Returns
  NULL, or why the file could not be read.
*/
static const char *DIRReadRest(Image *image,unsigned char **data,
  size_t *length,size_t *extent,MagickSizeType size_hint,
  const MagickSizeType most)
{
  MagickSizeType
    memory_limit;

  ssize_t
    count;

  unsigned char
    *grown;

  memory_limit=DIRMin(GetMagickResourceLimit(MemoryResource),
    (MagickSizeType) SSIZE_MAX);
  if (most < memory_limit)
    memory_limit=most;
  if (size_hint > most)
    size_hint=most;
  if (size_hint > (MagickSizeType) *extent)
    {
      if (size_hint > memory_limit)
        return("the file is larger than the memory limit");
      grown=(unsigned char *) ResizeQuantumMemory(*data,(size_t) size_hint,
        sizeof(**data));
      if (grown == (unsigned char *) NULL)
        return("cannot allocate a buffer for the file");
      *data=grown;
      *extent=(size_t) size_hint;
    }
  for ( ; ; )
  {
    if (*length == *extent)
      {
        unsigned char
          byte;

        size_t
          wanted;

        /*
          Full: read one more byte before growing, so that a buffer sized
          from the file size is not grown just to find the end.
        */
        count=ReadBlob(image,1,&byte);
        if (count <= 0)
          break;
        wanted=*extent+DIRMax(*extent/2,DIRReadChunk);
        if ((wanted < *extent) || ((MagickSizeType) wanted > memory_limit))
          wanted=(size_t) memory_limit;
        if ((wanted <= *extent) && (*extent < most))
          return("the file is larger than the memory limit");
        if (wanted <= *extent)
          {
            /*
              The declared size and one byte more are in: the rest is
              trailing data, which the probe reports.
            */
            if (*length < *extent)
              (*data)[(*length)++]=byte;
            break;
          }
        grown=(unsigned char *) ResizeQuantumMemory(*data,wanted,
          sizeof(**data));
        if (grown == (unsigned char *) NULL)
          return("cannot allocate a buffer for the file");
        *data=grown;
        *extent=wanted;
        (*data)[(*length)++]=byte;
      }
    count=ReadBlob(image,(size_t) DIRMin(*extent-*length,DIRReadChunk),
      *data+*length);
    if (count <= 0)
      break;
    *length+=(size_t) count;
  }
  return((const char *) NULL);
}

static void DIRSetProperty(Image *image,const char *key,const char *format,
  const unsigned long long value,ExceptionInfo *exception)
{
  char
    text[DIRTextExtent];

  (void) FormatLocaleString(text,DIRTextExtent,format,value);
  (void) DIRSetImageProperty(image,key,text,exception);
}

static void DIRSetHeaderProperties(Image *image,const dir_info *info,
  ExceptionInfo *exception)
{
  char
    key[DIRTextExtent];

  ssize_t
    i;

  DIRSetProperty(image,"dir:version","%llu",info->version,exception);
  DIRSetProperty(image,"dir:channels","%llu",info->channels,exception);
  DIRSetProperty(image,"dir:depth","%llu",info->depth,exception);
  DIRSetProperty(image,"dir:crc","%08llx",info->crc,exception);
  if (info->version != 1)
    {
      DIRSetProperty(image,"dir:payload-size","%llu",info->payload_size,
        exception);
      DIRSetProperty(image,"dir:chunks","%llu",info->chunk_count,exception);
      return;
    }
  (void) DIRSetImageProperty(image,"dir:filter",dir_filter_name(info->filter),
    exception);
  (void) DIRSetImageProperty(image,"dir:layout",dir_layout_name(info->layout),
    exception);
  (void) DIRSetImageProperty(image,"dir:backend",
    dir_backend_name(info->backend),exception);
  DIRSetProperty(image,"dir:packed-size","%llu",info->packed_size,exception);
  for (i=0; i < DIR_STREAMS; i++)
  {
    (void) FormatLocaleString(key,DIRTextExtent,"dir:stream-size-%02d",
      (int) i);
    DIRSetProperty(image,key,"%llu",info->stream_size[i],exception);
  }
}

/*
  The file's metadata as ImageMagick keeps it: the "icc", "exif" (with its
  "Exif\0\0" prefix, as the JPEG and PNG coders give it) and "xmp" profiles,
  the "comment" property and the resolution in pixels per centimetre.
*/
static MagickBooleanType DIRSetProfile(Image *image,const char *name,
  const void *prefix,const size_t prefix_length,const void *data,
  const size_t length,ExceptionInfo *exception)
{
  MagickBooleanType
    status;

  StringInfo
    *profile;

  if (length == 0)
    return(MagickTrue);
  profile=AcquireStringInfo(prefix_length+length);
  if (profile == (StringInfo *) NULL)
    return(MagickFalse);
  if (prefix_length != 0)
    (void) memcpy(GetStringInfoDatum(profile),prefix,prefix_length);
  (void) memcpy(GetStringInfoDatum(profile)+prefix_length,data,length);
  status=DIRSetImageProfile(image,name,profile,exception);
  profile=DestroyStringInfo(profile);
  return(status);
}

static MagickBooleanType DIRSetMetadata(Image *image,const dir_metadata *meta,
  ExceptionInfo *exception)
{
  if ((DIRSetProfile(image,"icc",NULL,0,meta->icc,meta->icc_size,
       exception) == MagickFalse) ||
      (DIRSetProfile(image,"exif",DIRExifPrefix,DIRExifPrefixLength,
       meta->exif,meta->exif_size,exception) == MagickFalse) ||
      (DIRSetProfile(image,"xmp",NULL,0,meta->xmp,meta->xmp_size,
       exception) == MagickFalse))
    return(MagickFalse);
  if (meta->comment != (const char *) NULL)
    (void) DIRSetImageProperty(image,"comment",meta->comment,exception);
  if ((meta->density_x != 0) && (meta->density_y != 0))
    {
      image->units=PixelsPerCentimeterResolution;
      DIRResolutionX(image)=meta->density_x/100.0;
      DIRResolutionY(image)=meta->density_y/100.0;
    }
  return(MagickTrue);
}

static void DIRSetStatsProperties(Image *image,const dir_stats *stats,
  ExceptionInfo *exception)
{
  char
    key[DIRTextExtent];

  ssize_t
    i;

  DIRSetProperty(image,"dir:sections","%llu",stats->sections,exception);
  for (i=0; i < 9; i++)
  {
    (void) FormatLocaleString(key,DIRTextExtent,"dir:code-%02d",(int) i);
    DIRSetProperty(image,key,"%llu",stats->code_count[i],exception);
  }
}

/*
  Throws a reader exception carrying the core's message, closes the blob,
  frees this reader's buffers and returns NULL from ReadDIRImage().
*/
#define ThrowDIRReaderException(severity,tag,reason) \
{ \
  (void) ThrowMagickException(exception,GetMagickModule(),severity,tag, \
    "`%s': %s",image_info->filename,reason); \
  if (pixels != (unsigned char *) NULL) \
    pixels=(unsigned char *) RelinquishMagickMemory(pixels); \
  if (pixels_acquired != MagickFalse) \
    RelinquishMagickResource(MemoryResource,charged_size); \
  if (buffer != (unsigned char *) NULL) \
    buffer=(unsigned char *) RelinquishMagickMemory(buffer); \
  (void) CloseBlob(image); \
  image=DestroyImageList(image); \
  return((Image *) NULL); \
}

static Image *ReadDIRImage(const ImageInfo *image_info,
  ExceptionInfo *exception)
{
  const unsigned char
    *data;

  dir_diag
    diag;

  dir_error
    error;

  dir_info
    info;

  dir_limits
    limits;

  dir_metadata
    meta;

  dir_stats
    stats;

  Image
    *image;

  MagickBooleanType
    pixels_acquired,
    status;

  MagickSizeType
    charged_size;

  uint64_t
    declared;

  size_t
    extent,
    length,
    pixels_size;

  ssize_t
    count,
    y;

  unsigned char
    *buffer,
    *pixels;

  /*
    Open image file.
  */
  assert(image_info != (const ImageInfo *) NULL);
  assert(image_info->signature == MagickCoreSignature);
  assert(exception != (ExceptionInfo *) NULL);
  assert(exception->signature == MagickCoreSignature);
  if (image_info->debug != MagickFalse)
    (void) LogMagickEvent(TraceEvent,GetMagickModule(),"%s",
      image_info->filename);
  image=DIRAcquireImage(image_info,exception);
  status=OpenBlob(image_info,image,DIRReadBinaryBlobMode,exception);
  if (status == MagickFalse)
    {
      image=DestroyImageList(image);
      return((Image *) NULL);
    }
  buffer=(unsigned char *) NULL;
  pixels=(unsigned char *) NULL;
  pixels_acquired=MagickFalse;
  pixels_size=0;
  charged_size=0;
  memset(&diag,0,sizeof(diag));
  DIRLimitsFromResources(&limits);
  /*
    Read the whole file: the core decodes from memory.  A memory blob is
    used in place; a file or a stream is read into a buffer, header first so
    that an over-limit or mangled file is rejected before the rest is read.
  */
  data=GetBlobStreamData(image);
  if (data != (const unsigned char *) NULL)
    length=(size_t) GetBlobSize(image);
  else
    {
      extent=DIR_HEADER_SIZE;
      buffer=(unsigned char *) AcquireQuantumMemory(extent,sizeof(*buffer));
      if (buffer == (unsigned char *) NULL)
        ThrowDIRReaderException(ResourceLimitError,"MemoryAllocationFailed",
          "cannot allocate the header buffer");
      length=0;
      while (length < DIR_HEADER_SIZE)
      {
        count=ReadBlob(image,DIR_HEADER_SIZE-length,buffer+length);
        if (count <= 0)
          break;
        length+=(size_t) count;
      }
      error=dir_declared_size(buffer,length,&limits,&declared,&diag);
      if (error != DIR_OK)
        ThrowDIRReaderException(DIRSeverity(error),DIRReadTag(error),
          diag.message);
      if (length == DIR_HEADER_SIZE)
        {
          const char
            *reason;

          reason=DIRReadRest(image,&buffer,&length,&extent,
            GetBlobSize(image),(MagickSizeType) declared+1);
          if (reason != (const char *) NULL)
            ThrowDIRReaderException(ResourceLimitError,
              "MemoryAllocationFailed",reason);
        }
      data=buffer;
    }
  error=dir_probe(data,length,&limits,&info,&diag);
  if (error != DIR_OK)
    ThrowDIRReaderException(DIRSeverity(error),DIRReadTag(error),
      diag.message);
  image->columns=(size_t) info.width;
  image->rows=(size_t) info.height;
  image->depth=info.depth;
#if DIR_MAGICK_MAJOR == 7
  image->alpha_trait=(info.channels == 2) || (info.channels == 4) ?
    BlendPixelTrait : UndefinedPixelTrait;
#else
  image->matte=(info.channels == 2) || (info.channels == 4) ? MagickTrue :
    MagickFalse;
#endif
  if (info.channels <= 2)
    (void) DIRSetImageColorspace(image,GRAYColorspace,exception);
  DIRSetHeaderProperties(image,&info,exception);
  error=dir_read_metadata(data,length,&meta,&diag);
  if (error != DIR_OK)
    ThrowDIRReaderException(DIRSeverity(error),DIRReadTag(error),
      diag.message);
  if (DIRSetMetadata(image,&meta,exception) == MagickFalse)
    ThrowDIRReaderException(ResourceLimitError,"MemoryAllocationFailed",
      "cannot keep the metadata");
  if (image_info->ping != MagickFalse)
    {
      if (buffer != (unsigned char *) NULL)
        buffer=(unsigned char *) RelinquishMagickMemory(buffer);
      (void) CloseBlob(image);
      return(GetFirstImageInList(image));
    }
  /*
    The decode buffer is charged to the memory resource first, then
    SetImageExtent() checks the pixel cache against the policy limits:
    both before anything sized from the file is allocated (ImageMagick 7
    allocates the pixel cache in SetImageExtent()).
  */
  pixels_size=dir_decoded_size(&info);
  charged_size=(MagickSizeType) pixels_size+dir_decode_scratch_size(&info);
  if (AcquireMagickResource(MemoryResource,charged_size) == MagickFalse)
    ThrowDIRReaderException(ResourceLimitError,"MemoryAllocationFailed",
      "the decoded pixels and streams are over the memory limit");
  pixels_acquired=MagickTrue;
  status=DIRSetImageExtent(image,exception);
  if (status == MagickFalse)
    {
#if DIR_MAGICK_MAJOR < 7
      InheritException(exception,&image->exception);
#endif
      RelinquishMagickResource(MemoryResource,charged_size);
      if (buffer != (unsigned char *) NULL)
        buffer=(unsigned char *) RelinquishMagickMemory(buffer);
      (void) CloseBlob(image);
      return(DestroyImageList(image));
    }
  pixels=(unsigned char *) AcquireQuantumMemory(pixels_size,sizeof(*pixels));
  if (pixels == (unsigned char *) NULL)
    ThrowDIRReaderException(ResourceLimitError,"MemoryAllocationFailed",
      "cannot allocate the decoded pixels");
  error=dir_decode(data,length,&limits,pixels,pixels_size,&info,&stats,&diag);
  if (error != DIR_OK)
    ThrowDIRReaderException(DIRSeverity(error),DIRReadTag(error),
      diag.message);
  /*
    Section counts per code exist for version 1 only: a version-2 decode
    reports none, and zeros would say the file has no sections.
  */
  if (info.version == 1)
    DIRSetStatsProperties(image,&stats,exception);
  /*
    Move the samples (8-bit, or native-endian 16-bit) into the pixel cache.
  */
  for (y=0; y < (ssize_t) image->rows; y++)
  {
    const unsigned char
      *p;

    DIRPixel
      *q;

    ssize_t
      x;

    q=QueueAuthenticPixels(image,0,y,image->columns,1,exception);
    if (q == (DIRPixel *) NULL)
      break;
    p=pixels+(size_t) y*image->columns*info.channels*(info.depth/8);
    for (x=0; x < (ssize_t) image->columns; x++)
    {
      Quantum
        sample[4] = { 0, 0, 0, 0 };

      size_t
        k;

      for (k=0; k < info.channels; k++)
        if (info.depth == 16)
          {
            uint16_t
              v;

            (void) memcpy(&v,p+2*k,2);
            sample[k]=DIRScaleShortToQuantum(v);
          }
        else
          sample[k]=DIRScaleCharToQuantum(p[k]);
#if DIR_MAGICK_MAJOR == 7
      if (info.channels <= 2)
        SetPixelGray(image,sample[0],q);
      else
        {
          SetPixelRed(image,sample[0],q);
          SetPixelGreen(image,sample[1],q);
          SetPixelBlue(image,sample[2],q);
        }
      if ((info.channels == 2) || (info.channels == 4))
        SetPixelAlpha(image,sample[info.channels-1],q);
#else
      if (info.channels <= 2)
        {
          SetPixelRed(q,sample[0]);
          SetPixelGreen(q,sample[0]);
          SetPixelBlue(q,sample[0]);
        }
      else
        {
          SetPixelRed(q,sample[0]);
          SetPixelGreen(q,sample[1]);
          SetPixelBlue(q,sample[2]);
        }
      if ((info.channels == 2) || (info.channels == 4))
        SetPixelAlpha(q,sample[info.channels-1]);
      else
        SetPixelOpacity(q,OpaqueOpacity);
#endif
      p+=info.channels*(info.depth/8);
      q+=DIRPixelStep(image);
    }
    if (SyncAuthenticPixels(image,exception) == MagickFalse)
      break;
    if (SetImageProgress(image,DIRLoadImageTag,(MagickOffsetType) y,
        image->rows) == MagickFalse)
      break;
  }
  if (y < (ssize_t) image->rows)
    ThrowDIRReaderException(CorruptImageError,"UnableToReadImageData",
      "cannot store the decoded pixels");
  pixels=(unsigned char *) RelinquishMagickMemory(pixels);
  RelinquishMagickResource(MemoryResource,charged_size);
  if (buffer != (unsigned char *) NULL)
    buffer=(unsigned char *) RelinquishMagickMemory(buffer);
  (void) CloseBlob(image);
  return(GetFirstImageInList(image));
}

/*
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%                                                                             %
%                                                                             %
%                                                                             %
%   R e g i s t e r D I R I m a g e                                           %
%                                                                             %
%                                                                             %
%                                                                             %
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%
%  RegisterDIRImage() adds attributes for the DIR image format to the list of
%  supported formats.  The attributes include the image format tag, a method
%  to read and/or write the format, whether the format supports the saving of
%  more than one frame to the same file or blob, whether the format supports
%  native in-memory I/O, and a brief description of the format.
%
%  The format of the RegisterDIRImage method is:
%
%      size_t RegisterDIRImage(void)
%
*/
ModuleExport size_t RegisterDIRImage(void)
{
  char
    version[DIRTextExtent];

  MagickInfo
    *entry;

  (void) FormatLocaleString(version,DIRTextExtent,"core %d.%d.%d, format version %d",
    DIR_VERSION_MAJOR,DIR_VERSION_MINOR,DIR_VERSION_PATCH,DIR_FORMAT_VERSION);
#if DIR_MAGICK_MAJOR == 7
  entry=AcquireMagickInfo("DIR","DIR",
    "Direccional lossless image (16x16 sections)");
  entry->flags&=(~CoderAdjoinFlag);
  entry->flags&=(~CoderDecoderSeekableStreamFlag);
#else
  entry=SetMagickInfo("DIR");
  entry->adjoin=MagickFalse;
  entry->seekable_stream=MagickFalse;
  entry->description=ConstantString(
    "Direccional lossless image (16x16 sections)");
  entry->magick_module=ConstantString("DIR");
#endif
  entry->decoder=(DecodeImageHandler *) ReadDIRImage;
  entry->encoder=(EncodeImageHandler *) WriteDIRImage;
  entry->magick=(IsImageFormatHandler *) IsDIR;
  entry->version=ConstantString(version);
  entry->mime_type=ConstantString("image/x-dir");
  (void) RegisterMagickInfo(entry);
  return(MagickImageCoderSignature);
}

/*
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%                                                                             %
%                                                                             %
%                                                                             %
%   U n r e g i s t e r D I R I m a g e                                       %
%                                                                             %
%                                                                             %
%                                                                             %
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%
%  UnregisterDIRImage() removes format registrations made by the DIR module
%  from the list of supported formats.
%
%  The format of the UnregisterDIRImage method is:
%
%      UnregisterDIRImage(void)
%
*/
ModuleExport void UnregisterDIRImage(void)
{
  (void) UnregisterMagickInfo("DIR");
}

/*
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%                                                                             %
%                                                                             %
%                                                                             %
%   W r i t e D I R I m a g e                                                 %
%                                                                             %
%                                                                             %
%                                                                             %
%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%
%
%  WriteDIRImage() writes one image in the .dir format.  The format holds a
%  single image (adjoin is off), so ImageMagick writes the frames of a
%  sequence to separate files.
%
%  Options: -define dir:NAME=VALUE for every NAME of the core's option table
%  (dir_options(): preset, filter, backend, level, layout, codes, ...; the
%  same names as dirtool's --NAME), and -quality 1..100, which picks the
%  core's preset for it (dir_preset_for_quality: 1-39 fast, 40-89 default,
%  90-100 smallest).  The format is lossless: quality is only effort.
%  -limit thread N bounds the worker threads of large images (the core's
%  threads option; 1 writes on the calling thread only).
%
%  The format of the WriteDIRImage method is:
%
%      MagickBooleanType WriteDIRImage(const ImageInfo *image_info,
%        Image *image)
%
%  A description of each parameter follows.
%
%    o image_info: the image info.
%
%    o image:  The image.
%
*/

/*
  The encoder options: -quality 1..100 picks a preset (the core's
  dir_preset_for_quality), then every -define dir:NAME=VALUE whose NAME is in
  the core's option table, preset first (a preset resets the others).  An
  unknown value is an OptionError carrying the core's message, and so is a
  define that has no effect given the others (dir:level with
  dir:backend=none, dir:layout with version 2: dir_option_check), as in
  dirtool.
*/
static MagickBooleanType DIREncodeOptions(const ImageInfo *image_info,
  Image *image,dir_encode_options *options,ExceptionInfo *exception)
{
  char
    key[DIRTextExtent];

  const char
    *value;

  const dir_option
    *table;

  dir_diag
    diag;

  MagickSizeType
    threads;

  size_t
    count,
    i,
    pass;

  memset(&diag,0,sizeof(diag));
  dir_encode_options_default(options);
  /*
    Worker threads for large images as -limit thread allows (1: none); a
    preset keeps them and -define dir:threads overrides them.
  */
  threads=GetMagickResourceLimit(ThreadResource);
  if ((threads >= 1) && (threads <= 64))
    options->threads=(unsigned int) threads;
  if ((image_info->quality != 0) &&  /* 0: no -quality given */
      (GetImageOption(image_info,"dir:preset") == (const char *) NULL) &&
      (dir_encode_options_preset(options,dir_preset_for_quality((unsigned)
        DIRMin(image_info->quality,100)),&diag) != DIR_OK))
    {
      (void) ThrowMagickException(exception,GetMagickModule(),OptionError,
        "InvalidArgument","`-quality %.20g': %s",(double) image_info->quality,
        diag.message);
      return(MagickFalse);
    }
  table=dir_options(&count);
  for (pass=0; pass < 2; pass++)
    for (i=0; i < count; i++)
    {
      if ((strcmp(table[i].name,"preset") == 0) != (pass == 0))
        continue;
      (void) FormatLocaleString(key,DIRTextExtent,"dir:%s",table[i].name);
      value=GetImageOption(image_info,key);
      if (value == (const char *) NULL)
        continue;
      if (dir_option_set(options,table[i].name,value,&diag) != DIR_OK)
        {
          (void) ThrowMagickException(exception,GetMagickModule(),OptionError,
            "InvalidArgument","`%s=%s': %s",key,value,diag.message);
          return(MagickFalse);
        }
    }
  for (i=0; i < count; i++)
  {
    if (strcmp(table[i].name,"preset") == 0)
      continue;
    (void) FormatLocaleString(key,DIRTextExtent,"dir:%s",table[i].name);
    value=GetImageOption(image_info,key);
    if ((value != (const char *) NULL) &&
        (dir_option_check(options,table[i].name,&diag) != DIR_OK))
      {
        (void) ThrowMagickException(exception,GetMagickModule(),OptionError,
          "InvalidArgument","`%s=%s': %s",key,value,diag.message);
        return(MagickFalse);
      }
  }
  /*
    A dir: define that names no option of the table is a misspelling
    (-define dir:levle=3): refused, naming the options, rather than ignored.
  */
  ResetImageOptionIterator(image_info);
  for (value=GetNextImageOption(image_info); value != (const char *) NULL;
       value=GetNextImageOption(image_info))
  {
    if (LocaleNCompare(value,"dir:",4) != 0)
      continue;
    for (i=0; i < count; i++)
      if (LocaleCompare(value+4,table[i].name) == 0)
        break;
    if (i == count)
      {
        char
          names[DIRTextExtent];

        names[0]='\0';
        for (i=0; i < count; i++)
        {
          (void) ConcatenateMagickString(names,i == 0 ? "dir:" : ", dir:",
            DIRTextExtent);
          (void) ConcatenateMagickString(names,table[i].name,DIRTextExtent);
        }
        (void) ThrowMagickException(exception,GetMagickModule(),OptionError,
          "InvalidArgument","`-define %s': no such option (the options are %s)",
          value,names);
        return(MagickFalse);
      }
  }
  (void) image;
  return(MagickTrue);
}

/*
  Progress of a write, in whole percents: copying the pixels is the first
  10, the encoding (most of it the zstd compression) the rest.  The offsets
  are multiples of DIRSaveUnit within an extent of 100 units, so that
  ImageMagick's monitor, which shows only some offsets of a large extent,
  shows every percent.
*/
#define DIRSaveCopy  10
#define DIRSaveUnit  400

static MagickBooleanType DIRSaveProgress(Image *image,unsigned int percent)
{
  MagickOffsetType
    offset;

  offset=percent >= 100 ? 100*DIRSaveUnit-1 :
    (MagickOffsetType) percent*DIRSaveUnit;
  return(SetImageProgress(image,DIRSaveImageTag,offset,100*DIRSaveUnit));
}

static int DIREncodeProgress(void *user,double done)
{
  unsigned int
    percent;

  percent=(unsigned int) (DIRSaveCopy+done*(100-DIRSaveCopy));
  return(DIRSaveProgress((Image *) user,percent) == MagickFalse ? 1 : 0);
}

/*
  Length of the valid UTF-8 prefix of text (shortest forms, no surrogates,
  at most U+10FFFF: what the core accepts in a comment).
*/
static size_t DIRValidUTF8(const unsigned char *text,const size_t length)
{
  size_t
    i;

  i=0;
  while (i < length)
  {
    size_t
      j,
      n;

    unsigned int
      c,
      minimum;

    c=text[i];
    if (c < 0x80)
      {
        i++;
        continue;
      }
    if ((c & 0xe0) == 0xc0)
      { n=1; c&=0x1f; minimum=0x80; }
    else if ((c & 0xf0) == 0xe0)
      { n=2; c&=0x0f; minimum=0x800; }
    else if ((c & 0xf8) == 0xf0)
      { n=3; c&=0x07; minimum=0x10000; }
    else
      return(i);
    if (length-i <= n)
      return(i);
    for (j=1; j <= n; j++)
    {
      if ((text[i+j] & 0xc0) != 0x80)
        return(i);
      c=(c << 6) | (text[i+j] & 0x3f);
    }
    if ((c < minimum) || (c > 0x10ffff) || ((c >= 0xd800) && (c <= 0xdfff)))
      return(i);
    i+=n+1;
  }
  return(length);
}

/*
  The image's metadata for the core: the "icc" (or "icm") profile, the
  "exif" profile without its "Exif\0\0" prefix, the "xmp" profile without
  trailing NUL bytes, the comment (read as Latin-1 when it is not UTF-8, as
  JPEG comments often are; *comment holds the converted copy to free) and
  the resolution in pixels per metre.  A profile the format cannot hold is
  left out with a warning rather than failing the write.
*/
static void DIRGetMetadata(Image *image,dir_metadata *meta,char **comment,
  ExceptionInfo *exception)
{
  const char
    *text;

  const StringInfo
    *profile;

  double
    scale;

  (void) memset(meta,0,sizeof(*meta));
  *comment=(char *) NULL;
  profile=GetImageProfile(image,"icc");
  if (profile == (const StringInfo *) NULL)
    profile=GetImageProfile(image,"icm");
  if ((profile != (const StringInfo *) NULL) &&
      (GetStringInfoLength(profile) != 0))
    {
      meta->icc=GetStringInfoDatum(profile);
      meta->icc_size=GetStringInfoLength(profile);
    }
  profile=GetImageProfile(image,"exif");
  if (profile != (const StringInfo *) NULL)
    {
      const unsigned char
        *datum;

      size_t
        length;

      datum=GetStringInfoDatum(profile);
      length=GetStringInfoLength(profile);
      if ((length >= DIRExifPrefixLength) &&
          (memcmp(datum,DIRExifPrefix,DIRExifPrefixLength) == 0))
        {
          datum+=DIRExifPrefixLength;
          length-=DIRExifPrefixLength;
        }
      if ((length >= 8) && ((memcmp(datum,"II*\0",4) == 0) ||
          (memcmp(datum,"MM\0*",4) == 0)))
        {
          meta->exif=datum;
          meta->exif_size=length;
        }
      else
        if (length != 0)
          (void) ThrowMagickException(exception,GetMagickModule(),
            CoderWarning,"UnableToWriteBlob",
            "`%s': the EXIF profile has no TIFF header: not written",
            image->filename);
    }
  profile=GetImageProfile(image,"xmp");
  if (profile != (const StringInfo *) NULL)
    {
      size_t
        length;

      length=GetStringInfoLength(profile);
      while ((length != 0) && (GetStringInfoDatum(profile)[length-1] == 0))
        length--;
      if (length != 0)
        {
          meta->xmp=GetStringInfoDatum(profile);
          meta->xmp_size=length;
        }
    }
  text=DIRGetImageProperty(image,"comment",exception);
  if (text != (const char *) NULL)
    {
      size_t
        length;

      length=strlen(text);
      if (DIRValidUTF8((const unsigned char *) text,length) == length)
        meta->comment=text;
      else
        {
          char
            *utf8;

          size_t
            i,
            n;

          utf8=(char *) AcquireQuantumMemory(2*length+1,sizeof(*utf8));
          if (utf8 != (char *) NULL)
            {
              for (i=0, n=0; i < length; i++)
              {
                unsigned char
                  c;

                c=(unsigned char) text[i];
                if (c < 0x80)
                  utf8[n++]=(char) c;
                else
                  {
                    utf8[n++]=(char) (0xc0 | (c >> 6));
                    utf8[n++]=(char) (0x80 | (c & 0x3f));
                  }
              }
              utf8[n]='\0';
              *comment=utf8;
              meta->comment=utf8;
            }
        }
    }
  scale=image->units == PixelsPerInchResolution ? 100.0/2.54 :
    image->units == PixelsPerCentimeterResolution ? 100.0 : 0.0;
  if ((scale > 0.0) && (DIRResolutionX(image) > 0.0) &&
      (DIRResolutionY(image) > 0.0) &&
      (DIRResolutionX(image)*scale < 4294967295.0) &&
      (DIRResolutionY(image)*scale < 4294967295.0))
    {
      meta->density_x=(uint32_t) (DIRResolutionX(image)*scale+0.5);
      meta->density_y=(uint32_t) (DIRResolutionY(image)*scale+0.5);
      if ((meta->density_x == 0) || (meta->density_y == 0))
        meta->density_x=meta->density_y=0;
    }
}

#if DIR_MAGICK_MAJOR == 7
static MagickBooleanType WriteDIRImage(const ImageInfo *image_info,
  Image *image,ExceptionInfo *exception)
#else
static MagickBooleanType WriteDIRImage(const ImageInfo *image_info,
  Image *image)
#endif
{
  dir_diag
    diag;

  dir_encode_options
    options;

  dir_error
    error;

  dir_metadata
    meta;

  dir_pixels
    px;

  char
    *comment;

  MagickBooleanType
    grey,
    status;

  size_t
    channels,
    depth,
    out_size,
    pixels_size;

  ssize_t
    count,
    y;

  unsigned char
    *pixels;

  void
    *out;

#if DIR_MAGICK_MAJOR < 7
  ExceptionInfo
    *exception;

  exception=(&image->exception);
#endif
  /*
    Check the options and the size; the file is opened after encoding.
  */
  assert(image_info != (const ImageInfo *) NULL);
  assert(image_info->signature == MagickCoreSignature);
  assert(image != (Image *) NULL);
  assert(image->signature == MagickCoreSignature);
  if (image->debug != MagickFalse)
    (void) LogMagickEvent(TraceEvent,GetMagickModule(),"%s",image->filename);
  if (DIREncodeOptions(image_info,image,&options,exception) == MagickFalse)
    return(MagickFalse);
  if ((image->columns == 0) || (image->rows == 0) ||
      (image->columns > DIR_MAX_DIM) || (image->rows > DIR_MAX_DIM) ||
      ((MagickSizeType) image->columns*image->rows > DIR_MAX_PIXELS))
    {
      (void) ThrowMagickException(exception,GetMagickModule(),
        ImageError,"WidthOrHeightExceedsLimit",
        "`%s': %.20gx%.20g is outside the .dir limits (1..%u per side, "
        "%.20g pixels)",image->filename,(double) image->columns,
        (double) image->rows,(unsigned) DIR_MAX_DIM,(double) DIR_MAX_PIXELS);
      return(MagickFalse);
    }
  /*
    Normalise: palette images read as their colours below; any colourspace
    other than sRGB or grey is transformed to sRGB.
  */
  if ((image->colorspace != sRGBColorspace) &&
      (image->colorspace != GRAYColorspace) &&
      (image->colorspace != TransparentColorspace) &&
      (image->colorspace != UndefinedColorspace))
    (void) DIRTransformImageColorspace(image,sRGBColorspace,exception);
  channels=DIRHasAlpha(image) ? 4 : 3;
  depth=(image->depth > 8) && (options.format_version != 1) ? 16 : 8;
  pixels_size=image->columns*image->rows*channels*(depth/8);
  if (AcquireMagickResource(MemoryResource,(MagickSizeType) pixels_size) ==
      MagickFalse)
    {
      (void) ThrowMagickException(exception,GetMagickModule(),
        ResourceLimitError,"MemoryAllocationFailed",
        "`%s': the pixels are over the memory limit",image->filename);
      return(MagickFalse);
    }
  pixels=(unsigned char *) AcquireQuantumMemory(pixels_size,sizeof(*pixels));
  if (pixels == (unsigned char *) NULL)
    {
      RelinquishMagickResource(MemoryResource,(MagickSizeType) pixels_size);
      (void) ThrowMagickException(exception,GetMagickModule(),
        ResourceLimitError,"MemoryAllocationFailed","`%s'",image->filename);
      return(MagickFalse);
    }
  /*
    Gather 8- or 16-bit samples; note whether every pixel is grey.
  */
  grey=MagickTrue;
  for (y=0; y < (ssize_t) image->rows; y++)
  {
    const DIRPixel
      *p;

    ssize_t
      x;

    unsigned char
      *q;

    p=GetVirtualPixels(image,0,y,image->columns,1,exception);
    if (p == (const DIRPixel *) NULL)
      break;
    q=pixels+(size_t) y*image->columns*channels*(depth/8);
    for (x=0; x < (ssize_t) image->columns; x++)
    {
      if (depth == 16)
        {
          uint16_t
            v[4];

          v[0]=DIRScaleQuantumToShort(DIRGetRed(image,p));
          v[1]=DIRScaleQuantumToShort(DIRGetGreen(image,p));
          v[2]=DIRScaleQuantumToShort(DIRGetBlue(image,p));
          v[3]=DIRScaleQuantumToShort(DIRGetAlpha(image,p));
          if ((v[0] != v[1]) || (v[0] != v[2]))
            grey=MagickFalse;
          (void) memcpy(q,v,2*channels);
        }
      else
        {
          q[0]=ScaleQuantumToChar(DIRGetRed(image,p));
          q[1]=ScaleQuantumToChar(DIRGetGreen(image,p));
          q[2]=ScaleQuantumToChar(DIRGetBlue(image,p));
          if (channels == 4)
            q[3]=ScaleQuantumToChar(DIRGetAlpha(image,p));
          if ((q[0] != q[1]) || (q[0] != q[2]))
            grey=MagickFalse;
        }
      p+=DIRPixelStep(image);
      q+=channels*(depth/8);
    }
    if (DIRSaveProgress(image,(unsigned int) (DIRSaveCopy*y/image->rows)) ==
        MagickFalse)
      break;
  }
  if (y < (ssize_t) image->rows)
    {
      pixels=(unsigned char *) RelinquishMagickMemory(pixels);
      RelinquishMagickResource(MemoryResource,(MagickSizeType) pixels_size);
      return(MagickFalse);
    }
  if ((grey != MagickFalse) && (channels == 4) && (options.format_version == 1))
    grey=MagickFalse;  /* version 1 has no grey+alpha */
  if (grey != MagickFalse)
    {
      size_t
        i;

      size_t
        bytes,
        keep;

      /*
        Keep the grey sample (and the alpha) of each pixel.
      */
      bytes=depth/8;
      keep=channels == 4 ? 2 : 1;
      for (i=0; i < image->columns*image->rows; i++)
      {
        (void) memmove(pixels+i*keep*bytes,pixels+i*channels*bytes,bytes);
        if (keep == 2)
          (void) memmove(pixels+(i*keep+1)*bytes,pixels+(i*channels+3)*bytes,
            bytes);
      }
      channels=keep;
    }
  out=(void *) NULL;
  out_size=0;
  if (image->progress_monitor != (MagickProgressMonitor) NULL)
    {
      /*
        Only when someone watches: without a callback the core compresses
        in one call (the same bytes as dirtool writes).
      */
      options.progress=DIREncodeProgress;
      options.progress_user=image;
    }
  DIRGetMetadata(image,&meta,&comment,exception);
  if ((options.format_version == 1) && ((meta.icc_size != 0) ||
      (meta.exif_size != 0) || (meta.xmp_size != 0) ||
      (meta.comment != (const char *) NULL) || (meta.density_x != 0)))
    {
      /*
        Asked for version 1 (-define dir:version=1), which has no metadata:
        written without it, and said so.
      */
      (void) ThrowMagickException(exception,GetMagickModule(),
        CoderWarning,"UnableToWriteBlob",
        "`%s': version 1 holds no metadata: the profiles, comment and "
        "density are not written",image->filename);
      (void) memset(&meta,0,sizeof(meta));
    }
  px.data=pixels;
  px.width=(uint32_t) image->columns;
  px.height=(uint32_t) image->rows;
  px.channels=(unsigned) channels;
  px.depth=(unsigned) depth;
  px.stride=0;
  error=dir_encode_image(&px,&meta,&options,&out,&out_size,(dir_stats *) NULL,
    &diag);
  if (comment != (char *) NULL)
    comment=(char *) RelinquishMagickMemory(comment);
  pixels=(unsigned char *) RelinquishMagickMemory(pixels);
  RelinquishMagickResource(MemoryResource,(MagickSizeType) pixels_size);
  if (error != DIR_OK)
    {
      (void) ThrowMagickException(exception,GetMagickModule(),
        error == DIR_ENOMEM ? ResourceLimitError : CoderError,
        error == DIR_ENOMEM ? "MemoryAllocationFailed" : "UnableToWriteBlob",
        "`%s': %s",image->filename,diag.message);
      return(MagickFalse);
    }
  /*
    The file is opened only now that the encoding succeeded: a failure above
    leaves no empty or partial output file behind.
  */
  status=OpenBlob(image_info,image,DIRWriteBinaryBlobMode,exception);
  if (status == MagickFalse)
    {
      dir_free(out);
      return(status);
    }
  count=WriteBlob(image,out_size,(const unsigned char *) out);
  dir_free(out);
  if ((count < 0) || ((size_t) count != out_size))
    {
      struct stat
        st;

      (void) ThrowMagickException(exception,GetMagickModule(),
        FileOpenError,"UnableToWriteBlob","`%s': %s",image->filename,
        strerror(errno));
      (void) CloseBlob(image);
      /*
        A partial .dir file is worse than none: remove it when it is a
        regular file (not standard output, a pipe or a device).
      */
      if ((image_info->file == (FILE *) NULL) &&
          (stat(image->filename,&st) == 0) && S_ISREG(st.st_mode))
        (void) remove(image->filename);
      return(MagickFalse);
    }
  /*
    CloseBlob()'s result is not used: MagickCore 6.9.11 returns the blob's
    error flag (0, MagickFalse, on success) where later releases return
    MagickTrue on success.  A short write was caught above.
  */
  (void) CloseBlob(image);
  return(MagickTrue);
}
