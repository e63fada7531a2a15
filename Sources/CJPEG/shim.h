/* jpeglib.h uses FILE and size_t without including their headers. */
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

/* libjpeg reports errors by calling error_exit, which must not return. Swift cannot setjmp, so
   the jump lives here: error_exit formats the message and longjmps back into quarry_jpeg_decode. */
struct quarry_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char *message;
    size_t message_size;
};

static inline void quarry_jpeg_error_exit(j_common_ptr info) {
    struct quarry_jpeg_error *error = (struct quarry_jpeg_error *)info->err;
    char text[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, text);
    snprintf(error->message, error->message_size, "%s", text);
    longjmp(error->jump, 1);
}

/* libjpeg-turbo pads a truncated file with a fake EOI and corrupt scan data with zeros, and only
   warns (level -1): a verifier that let warnings pass would accept broken uploads. */
static inline void quarry_jpeg_emit_message(j_common_ptr info, int level) {
    if (level < 0) (*info->err->error_exit)(info);
}

/* Kept out of line so that setjmp's function holds no local that changes after it: everything
   the error path needs afterwards lives in the caller's frame. */
static inline __attribute__((noinline)) int quarry_jpeg_decode(struct jpeg_decompress_struct *info,
                                                               const uint8_t *data, size_t size,
                                                               uint64_t max_pixels) {
    struct quarry_jpeg_error *error = (struct quarry_jpeg_error *)info->err;
    if (setjmp(error->jump)) return -1;
    jpeg_create_decompress(info);
    jpeg_mem_src(info, data, (unsigned long)size);
    if (jpeg_read_header(info, TRUE) != JPEG_HEADER_OK) {
        snprintf(error->message, error->message_size, "no image in the JPEG stream");
        return -1;
    }
    /* The probe checked the first frame header; this holds even if libjpeg read another. */
    if ((uint64_t)info->image_width * info->image_height > max_pixels) {
        snprintf(error->message, error->message_size, "image is larger than the pixel limit");
        return -1;
    }
    /* The pixels are thrown away, so the cheapest IDCT and upsampling will do. */
    info->dct_method = JDCT_IFAST;
    info->do_fancy_upsampling = FALSE;
    jpeg_start_decompress(info);
    /* From libjpeg's own pool, so jpeg_destroy_decompress frees it on every path. */
    JSAMPARRAY row = (*info->mem->alloc_sarray)((j_common_ptr)info, JPOOL_IMAGE,
                                                info->output_width * info->output_components, 1);
    while (info->output_scanline < info->output_height) jpeg_read_scanlines(info, row, 1);
    jpeg_finish_decompress(info);
    return 0;
}

/* Decodes the whole image one scanline at a time, keeping none of it. Returns 0, or -1 with a
   NUL-terminated reason in `message`. */
static inline int quarry_jpeg_verify(const uint8_t *data, size_t size, uint64_t max_pixels,
                                     char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct quarry_jpeg_error error;
    /* jpeg_destroy_decompress is safe on a zeroed struct, which covers a failure inside create. */
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = quarry_jpeg_error_exit;
    error.manager.emit_message = quarry_jpeg_emit_message;
    error.message = message;
    error.message_size = message_size;
    int result = quarry_jpeg_decode(&info, data, size, max_pixels);
    jpeg_destroy_decompress(&info);
    return result;
}

/* Decoding and encoding into caller-owned memory live beside the verifier, sharing its error
   manager. */
#include "decode.h"
#include "encode.h"
