#include <stdlib.h>
#include <jerror.h>

/* Our own destination rather than jpeg_mem_dest: that one only reports its buffer when the
   compression finishes, so after an error in between the buffer could be neither freed nor known. */
struct quarry_jpeg_destination {
    struct jpeg_destination_mgr manager;
    unsigned char *buffer;
    size_t capacity;
    size_t size;
};

static inline void quarry_jpeg_destination_init(j_compress_ptr info) { (void)info; }

static inline boolean quarry_jpeg_destination_grow(j_compress_ptr info) {
    struct quarry_jpeg_destination *destination = (struct quarry_jpeg_destination *)info->dest;
    size_t capacity = destination->capacity * 2;
    unsigned char *buffer = realloc(destination->buffer, capacity);
    if (buffer == NULL) ERREXIT1(info, JERR_OUT_OF_MEMORY, 0);
    /* libjpeg calls this only when the buffer is full, so the written part is all of it. */
    destination->manager.next_output_byte = buffer + destination->capacity;
    destination->manager.free_in_buffer = capacity - destination->capacity;
    destination->buffer = buffer;
    destination->capacity = capacity;
    return TRUE;
}

static inline void quarry_jpeg_destination_term(j_compress_ptr info) {
    struct quarry_jpeg_destination *destination = (struct quarry_jpeg_destination *)info->dest;
    destination->size = destination->capacity - destination->manager.free_in_buffer;
}

/* What to compress: interleaved pixels of `channels` (1 gray or 3 RGB) samples, or, with
   `planes` set to 1 or 3, gray or YCbCr 4:2:0 planes (chroma half as wide and high, rounded up),
   each padded to whole MCUs (16 samples for luma beside chroma, 8 otherwise, each way), which
   libjpeg then takes as they are. */
struct quarry_jpeg_input {
    const uint8_t *pixels;
    int channels;
    int planes;
    const uint8_t *plane[3];
    size_t plane_stride[3];
};

static inline void quarry_jpeg_write_planes(struct jpeg_compress_struct *info, const struct quarry_jpeg_input *input) {
    JSAMPROW rows[3][16];
    JSAMPARRAY arrays[3] = {rows[0], rows[1], rows[2]};
    int lines = info->max_v_samp_factor * DCTSIZE;
    for (JDIMENSION row = 0; info->next_scanline < info->image_height; row++) {
        for (int c = 0; c < input->planes; c++) {
            int height = info->comp_info[c].v_samp_factor * DCTSIZE;
            for (int y = 0; y < height; y++)
                rows[c][y] = (JSAMPROW)(input->plane[c] + ((size_t)row * height + y) * input->plane_stride[c]);
        }
        jpeg_write_raw_data(info, arrays, (JDIMENSION)lines);
    }
}

static inline __attribute__((noinline)) int quarry_jpeg_encode_jump(struct jpeg_compress_struct *info,
                                                                    struct quarry_jpeg_destination *destination,
                                                                    const struct quarry_jpeg_input *input,
                                                                    uint32_t width, uint32_t height, int quality) {
    struct quarry_jpeg_error *error = (struct quarry_jpeg_error *)info->err;
    if (setjmp(error->jump)) return -1;
    jpeg_create_compress(info);
    info->dest = &destination->manager;
    info->image_width = width;
    info->image_height = height;
    int components = input->planes ? input->planes : input->channels;
    info->input_components = components;
    info->in_color_space = components == 1 ? JCS_GRAYSCALE : input->planes ? JCS_YCbCr : JCS_RGB;
    /* The defaults sample chroma 2×2, the layout planar input comes in. */
    jpeg_set_defaults(info);
    jpeg_set_quality(info, quality, TRUE);
    info->raw_data_in = input->planes ? TRUE : FALSE;
    jpeg_start_compress(info, TRUE);
    if (input->planes) {
        quarry_jpeg_write_planes(info, input);
    } else {
        size_t stride = (size_t)width * input->channels;
        while (info->next_scanline < info->image_height) {
            /* libjpeg only reads the rows; its prototype predates const. */
            JSAMPROW row = (JSAMPROW)(input->pixels + info->next_scanline * stride);
            jpeg_write_scanlines(info, &row, 1);
        }
    }
    jpeg_finish_compress(info);
    return 0;
}

/* Compresses a width × height image. On success *output is a malloc'd buffer of *output_size
   bytes that the caller frees with free(); on failure it is NULL and `message` holds the reason. */
static inline int quarry_jpeg_encode(const struct quarry_jpeg_input *input, uint32_t width, uint32_t height,
                                     int quality, unsigned char **output,
                                     size_t *output_size, char *message, size_t message_size) {
    struct jpeg_compress_struct info;
    struct quarry_jpeg_error error;
    struct quarry_jpeg_destination destination;
    memset(&info, 0, sizeof info);
    memset(&destination, 0, sizeof destination);
    info.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = quarry_jpeg_error_exit;
    error.message = message;
    error.message_size = message_size;
    /* A guess at a well-compressed photo; growth doubles it. */
    destination.capacity = 4096 + (size_t)width * height * (input->planes ? input->planes : input->channels) / 8;
    destination.buffer = malloc(destination.capacity);
    *output = NULL;
    *output_size = 0;
    if (destination.buffer == NULL) {
        snprintf(message, message_size, "out of memory");
        return -1;
    }
    destination.manager.init_destination = quarry_jpeg_destination_init;
    destination.manager.empty_output_buffer = quarry_jpeg_destination_grow;
    destination.manager.term_destination = quarry_jpeg_destination_term;
    destination.manager.next_output_byte = destination.buffer;
    destination.manager.free_in_buffer = destination.capacity;
    int result = quarry_jpeg_encode_jump(&info, &destination, input, width, height, quality);
    jpeg_destroy_compress(&info);
    if (result != 0) {
        free(destination.buffer);
        return -1;
    }
    *output = destination.buffer;
    *output_size = destination.size;
    return 0;
}
