#include <stdlib.h>

/* libpng writes through a callback; this grows a malloc'd buffer that outlives the writer. */
struct quarry_png_writer {
    jmp_buf jump;
    char *message;
    size_t message_size;
    png_structp png;
    png_infop info;
    unsigned char *buffer;
    size_t capacity;
    size_t size;
};

static inline void quarry_png_write_error(png_structp png, png_const_charp text) {
    struct quarry_png_writer *writer = (struct quarry_png_writer *)png_get_error_ptr(png);
    snprintf(writer->message, writer->message_size, "%s", text);
    longjmp(writer->jump, 1);
}

static inline void quarry_png_write(png_structp png, png_bytep data, size_t length) {
    struct quarry_png_writer *writer = (struct quarry_png_writer *)png_get_io_ptr(png);
    if (length > writer->capacity - writer->size) {
        size_t capacity = writer->capacity * 2 > writer->size + length ? writer->capacity * 2
                                                                        : writer->size + length;
        unsigned char *buffer = realloc(writer->buffer, capacity);
        if (buffer == NULL) png_error(png, "out of memory");
        writer->buffer = buffer;
        writer->capacity = capacity;
    }
    memcpy(writer->buffer + writer->size, data, length);
    writer->size += length;
}

static inline void quarry_png_flush(png_structp png) { (void)png; }

static inline __attribute__((noinline)) int quarry_png_encode_jump(struct quarry_png_writer *writer,
                                                                   const uint8_t *pixels,
                                                                   uint32_t width, uint32_t height,
                                                                   int channels) {
    if (setjmp(writer->jump)) return -1;
    writer->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, writer, quarry_png_write_error,
                                          quarry_png_warning);
    if (writer->png == NULL) {
        snprintf(writer->message, writer->message_size, "cannot create a PNG writer");
        return -1;
    }
    writer->info = png_create_info_struct(writer->png);
    if (writer->info == NULL) png_error(writer->png, "cannot create PNG info");
    png_set_write_fn(writer->png, writer, quarry_png_write, quarry_png_flush);
    int colour = channels == 1 ? PNG_COLOR_TYPE_GRAY
               : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    png_set_IHDR(writer->png, writer->info, width, height, 8, colour, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(writer->png, writer->info);
    size_t stride = (size_t)width * channels;
    /* libpng only reads the rows; its prototype is not const. */
    for (uint32_t y = 0; y < height; y++) png_write_row(writer->png, (png_bytep)(pixels + y * stride));
    png_write_end(writer->png, NULL);
    return 0;
}

/* Compresses width × height pixels of `channels` (1, 3 or 4) samples. On success *output is a
   malloc'd buffer of *output_size bytes that the caller frees with free(); on failure it is NULL
   and `message` holds the reason. */
static inline int quarry_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                                    int channels, unsigned char **output, size_t *output_size,
                                    char *message, size_t message_size) {
    struct quarry_png_writer writer;
    memset(&writer, 0, sizeof writer);
    writer.message = message;
    writer.message_size = message_size;
    writer.capacity = 4096;
    writer.buffer = malloc(writer.capacity);
    *output = NULL;
    *output_size = 0;
    if (writer.buffer == NULL) {
        snprintf(message, message_size, "out of memory");
        return -1;
    }
    int result = quarry_png_encode_jump(&writer, pixels, width, height, channels);
    if (writer.png != NULL) png_destroy_write_struct(&writer.png, &writer.info);
    if (result != 0) {
        free(writer.buffer);
        return -1;
    }
    *output = writer.buffer;
    *output_size = writer.size;
    return 0;
}
