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
%  MagickCore's pixel cache and the core's 8-bit interleaved buffers, maps
%  -define options (the core's option table) and -quality (the core's
%  presets), and reports the core's specific error messages.
%
%  .dir stores 8-bit grey, RGB and RGBA.  On write, palette images are
%  expanded, other colourspaces are transformed to sRGB, deeper samples are
%  reduced to 8 bits, images whose pixels are all grey are written with one
%  channel and images with an alpha channel (matte) with four.
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

  (void) DIRSetImageProperty(image,"dir:filter",dir_filter_name(info->filter),
    exception);
  (void) DIRSetImageProperty(image,"dir:layout",dir_layout_name(info->layout),
    exception);
  (void) DIRSetImageProperty(image,"dir:backend",
    dir_backend_name(info->backend),exception);
  DIRSetProperty(image,"dir:version","%llu",info->version,exception);
  DIRSetProperty(image,"dir:channels","%llu",info->channels,exception);
  DIRSetProperty(image,"dir:crc","%08llx",info->crc,exception);
  DIRSetProperty(image,"dir:packed-size","%llu",info->packed_size,exception);
  for (i=0; i < DIR_STREAMS; i++)
  {
    (void) FormatLocaleString(key,DIRTextExtent,"dir:stream-size-%02d",
      (int) i);
    DIRSetProperty(image,key,"%llu",info->stream_size[i],exception);
  }
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
  image->depth=8;
#if DIR_MAGICK_MAJOR == 7
  image->alpha_trait=info.channels == 4 ? BlendPixelTrait :
    UndefinedPixelTrait;
#else
  image->matte=info.channels == 4 ? MagickTrue : MagickFalse;
#endif
  if (info.channels == 1)
    (void) DIRSetImageColorspace(image,GRAYColorspace,exception);
  DIRSetHeaderProperties(image,&info,exception);
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
  DIRSetStatsProperties(image,&stats,exception);
  /*
    Move the 8-bit samples into the pixel cache.
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
    p=pixels+(size_t) y*image->columns*info.channels;
    for (x=0; x < (ssize_t) image->columns; x++)
    {
#if DIR_MAGICK_MAJOR == 7
      if (info.channels == 1)
        SetPixelGray(image,DIRScaleCharToQuantum(p[0]),q);
      else
        {
          SetPixelRed(image,DIRScaleCharToQuantum(p[0]),q);
          SetPixelGreen(image,DIRScaleCharToQuantum(p[1]),q);
          SetPixelBlue(image,DIRScaleCharToQuantum(p[2]),q);
          if (info.channels == 4)
            SetPixelAlpha(image,DIRScaleCharToQuantum(p[3]),q);
        }
#else
      if (info.channels == 1)
        {
          SetPixelRed(q,DIRScaleCharToQuantum(p[0]));
          SetPixelGreen(q,DIRScaleCharToQuantum(p[0]));
          SetPixelBlue(q,DIRScaleCharToQuantum(p[0]));
          SetPixelOpacity(q,OpaqueOpacity);
        }
      else
        {
          SetPixelRed(q,DIRScaleCharToQuantum(p[0]));
          SetPixelGreen(q,DIRScaleCharToQuantum(p[1]));
          SetPixelBlue(q,DIRScaleCharToQuantum(p[2]));
          if (info.channels == 4)
            SetPixelAlpha(q,DIRScaleCharToQuantum(p[3]));
          else
            SetPixelOpacity(q,OpaqueOpacity);
        }
#endif
      p+=info.channels;
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
  unknown value is an OptionError carrying the core's message.
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

  size_t
    count,
    i,
    pass;

  memset(&diag,0,sizeof(diag));
  dir_encode_options_default(options);
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

  MagickBooleanType
    grey,
    status;

  size_t
    channels,
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
  pixels_size=image->columns*image->rows*channels;
  if (AcquireMagickResource(MemoryResource,(MagickSizeType) pixels_size) ==
      MagickFalse)
    {
      (void) ThrowMagickException(exception,GetMagickModule(),
        ResourceLimitError,"MemoryAllocationFailed",
        "`%s': the 8-bit pixels are over the memory limit",image->filename);
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
    Gather 8-bit samples; note whether every pixel is grey.
  */
  grey=DIRHasAlpha(image) ? MagickFalse : MagickTrue;
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
    q=pixels+(size_t) y*image->columns*channels;
    for (x=0; x < (ssize_t) image->columns; x++)
    {
      q[0]=ScaleQuantumToChar(DIRGetRed(image,p));
      q[1]=ScaleQuantumToChar(DIRGetGreen(image,p));
      q[2]=ScaleQuantumToChar(DIRGetBlue(image,p));
      if (channels == 4)
        q[3]=ScaleQuantumToChar(DIRGetAlpha(image,p));
      else
        if ((q[0] != q[1]) || (q[0] != q[2]))
          grey=MagickFalse;
      p+=DIRPixelStep(image);
      q+=channels;
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
  if (grey != MagickFalse)
    {
      size_t
        i;

      /*
        Keep one sample per pixel.
      */
      for (i=0; i < image->columns*image->rows; i++)
        pixels[i]=pixels[3*i];
      channels=1;
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
  error=dir_encode(pixels,(uint32_t) image->columns,(uint32_t) image->rows,
    (unsigned) channels,0,&options,&out,&out_size,(dir_stats *) NULL,&diag);
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
