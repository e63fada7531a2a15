#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* libpng reports errors through an error function that must not return. Swift cannot setjmp, so
   the jump lives here. Everything the cleanup needs sits in this struct, in the caller's frame:
   values changed after setjmp in the function that called it are unreliable after longjmp. */
struct quarry_png_context {
    jmp_buf jump;
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *message;
    size_t message_size;
    png_structp png;
    png_infop info;
    png_bytep row;
};

static inline void quarry_png_error(png_structp png, png_const_charp text) {
    struct quarry_png_context *context = (struct quarry_png_context *)png_get_error_ptr(png);
    snprintf(context->message, context->message_size, "%s", text);
    longjmp(context->jump, 1);
}

/* Warnings cover ancillary chunks (a bad CRC in a text chunk, an odd gamma): the pixels are fine. */
static inline void quarry_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static inline void quarry_png_read(png_structp png, png_bytep out, size_t length) {
    struct quarry_png_context *context = (struct quarry_png_context *)png_get_io_ptr(png);
    if (length > context->size - context->offset) png_error(png, "truncated PNG data");
    memcpy(out, context->data + context->offset, length);
    context->offset += length;
}

/* Creates the reader and reads the header, refusing images over the limits. Call it after setting
   the jump, which libpng's errors here return to. Returns -1 only when libpng cannot allocate. */
static inline int quarry_png_begin(struct quarry_png_context *context, uint32_t max_dimension, uint64_t max_pixels) {
    context->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, context, quarry_png_error, quarry_png_warning);
    if (context->png == NULL) {
        snprintf(context->message, context->message_size, "cannot create a PNG reader");
        return -1;
    }
    context->info = png_create_info_struct(context->png);
    if (context->info == NULL) png_error(context->png, "cannot create PNG info");
    png_set_read_fn(context->png, context, quarry_png_read);
    png_set_user_limits(context->png, max_dimension, max_dimension);
    png_read_info(context->png, context->info);
    if ((uint64_t)png_get_image_width(context->png, context->info) * png_get_image_height(context->png, context->info)
        > max_pixels) {
        png_error(context->png, "image is larger than the pixel limit");
    }
    return 0;
}

static inline __attribute__((noinline)) int quarry_png_decode(struct quarry_png_context *context,
                                                              uint32_t max_dimension,
                                                              uint64_t max_pixels) {
    if (setjmp(context->jump)) return -1;
    if (quarry_png_begin(context, max_dimension, max_pixels) != 0) return -1;
    int passes = png_set_interlace_handling(context->png);
    png_read_update_info(context->png, context->info);
    png_uint_32 height = png_get_image_height(context->png, context->info);
    context->row = png_malloc(context->png, png_get_rowbytes(context->png, context->info));
    for (int pass = 0; pass < passes; pass++) {
        for (png_uint_32 y = 0; y < height; y++) png_read_row(context->png, context->row, NULL);
    }
    /* Reads through IEND, so data cut off after the last row is still refused. */
    png_read_end(context->png, NULL);
    return 0;
}

/* Decodes the whole image one row at a time, keeping none of it. Returns 0, or -1 with a
   NUL-terminated reason in `message`. */
static inline int quarry_png_verify(const uint8_t *data, size_t size, uint32_t max_dimension,
                                    uint64_t max_pixels, char *message, size_t message_size) {
    struct quarry_png_context context;
    memset(&context, 0, sizeof context);
    context.data = data;
    context.size = size;
    context.message = message;
    context.message_size = message_size;
    int result = quarry_png_decode(&context, max_dimension, max_pixels);
    if (context.row != NULL) png_free(context.png, context.row);
    if (context.png != NULL) png_destroy_read_struct(&context.png, &context.info, NULL);
    return result;
}

/* Decoding and encoding into caller-owned memory share the context and error handling above. */
#include "decode.h"
#include "encode.h"
