/* Decoding in two calls, so that Swift can size the pixel buffer between them: quarry_png_open
   reads the header and sets the transformations to 8-bit gray, RGB or RGBA; quarry_png_read_pixels
   fills the caller's buffer. Each call sets its own jump; quarry_png_close frees what open made. */
struct quarry_png_reader {
    struct quarry_png_context context;
    uint32_t width;
    uint32_t height;
    /* 1 (gray), 3 (RGB) or 4 (RGBA), valid after quarry_png_open. */
    int channels;
    int passes;
    char message[200];
};

static inline __attribute__((noinline)) int quarry_png_open_jump(struct quarry_png_reader *reader,
                                                                 uint32_t max_dimension,
                                                                 uint64_t max_pixels, int keep_gray) {
    struct quarry_png_context *context = &reader->context;
    if (setjmp(context->jump)) return -1;
    if (quarry_png_begin(context, max_dimension, max_pixels) != 0) return -1;
    png_structp png = context->png;
    reader->width = png_get_image_width(png, context->info);
    reader->height = png_get_image_height(png, context->info);
    int colour = png_get_color_type(png, context->info);
    int transparent = png_get_valid(png, context->info, PNG_INFO_tRNS) != 0;
    /* Palette to RGB, gray below 8 bits to 8, tRNS to an alpha channel. */
    png_set_expand(png);
    png_set_strip_16(png);
    /* Gray with alpha has no 2-channel bitmap, so it becomes RGBA even when gray is kept. */
    if ((colour & PNG_COLOR_MASK_COLOR) == 0 &&
        (!keep_gray || transparent || (colour & PNG_COLOR_MASK_ALPHA) != 0)) {
        png_set_gray_to_rgb(png);
    }
    reader->passes = png_set_interlace_handling(png);
    png_read_update_info(png, context->info);
    reader->channels = png_get_channels(png, context->info);
    if (png_get_rowbytes(png, context->info) != (size_t)reader->width * reader->channels) {
        png_error(png, "unexpected row layout after transformation");
    }
    return 0;
}

/* Returns 0, or -1 with a reason in reader->message. Call quarry_png_close either way. */
static inline int quarry_png_open(struct quarry_png_reader *reader, const uint8_t *data, size_t size,
                                  uint32_t max_dimension, uint64_t max_pixels, int keep_gray) {
    memset(reader, 0, sizeof *reader);
    reader->context.data = data;
    reader->context.size = size;
    reader->context.message = reader->message;
    reader->context.message_size = sizeof reader->message;
    return quarry_png_open_jump(reader, max_dimension, max_pixels, keep_gray);
}

/* Fills `pixels`, width × height × channels bytes. Interlaced passes land in place, each
   combining with the rows the earlier ones left there. */
static inline __attribute__((noinline)) int quarry_png_read_pixels(struct quarry_png_reader *reader,
                                                                   uint8_t *pixels) {
    struct quarry_png_context *context = &reader->context;
    if (setjmp(context->jump)) return -1;
    size_t stride = (size_t)reader->width * reader->channels;
    for (int pass = 0; pass < reader->passes; pass++) {
        for (uint32_t y = 0; y < reader->height; y++) png_read_row(context->png, pixels + y * stride, NULL);
    }
    /* Reads through IEND, as verification does, so both refuse the same truncated files. */
    png_read_end(context->png, NULL);
    return 0;
}

static inline void quarry_png_close(struct quarry_png_reader *reader) {
    if (reader->context.png != NULL) {
        png_destroy_read_struct(&reader->context.png, &reader->context.info, NULL);
    }
}
