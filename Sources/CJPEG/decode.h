/* Decoding in two calls, so that Swift can size the pixel buffer between them: quarry_jpeg_open
   reads the header and fixes the output size, quarry_jpeg_read_pixels fills the caller's buffer.
   Each call sets its own jump; the reader lives in the caller's memory until quarry_jpeg_close. */
struct quarry_jpeg_reader {
    struct jpeg_decompress_struct info;
    struct quarry_jpeg_error error;
    /* Output size and samples per pixel (1 or 3), valid after quarry_jpeg_open. */
    uint32_t width;
    uint32_t height;
    int channels;
    /* With `planar` asked for and a YCbCr or gray stream: 3 or 1, and each component's samples
       (width × height at its own sampling) land in a buffer of plane_rows rows plane_stride apart,
       which covers the whole blocks libjpeg writes. 0 otherwise. Valid after quarry_jpeg_open. */
    int planes;
    uint32_t plane_width[3];
    uint32_t plane_height[3];
    uint32_t plane_stride[3];
    uint32_t plane_rows[3];
    char message[200];
};

#if JPEG_LIB_VERSION >= 70
#define QUARRY_DCT_SIZE(component) ((component)->DCT_h_scaled_size)
#define QUARRY_MIN_DCT_SIZE(info) ((info)->min_DCT_v_scaled_size)
#else
#define QUARRY_DCT_SIZE(component) ((component)->DCT_scaled_size)
#define QUARRY_MIN_DCT_SIZE(info) ((info)->min_DCT_scaled_size)
#endif

/* Raw output skips upsampling and colour conversion, which a thumbnail encoded as YCbCr again
   would only undo. */
static inline void quarry_jpeg_choose_planes(struct quarry_jpeg_reader *reader) {
    struct jpeg_decompress_struct *info = &reader->info;
    int ycc = info->jpeg_color_space == JCS_YCbCr && info->num_components == 3;
    int gray = info->jpeg_color_space == JCS_GRAYSCALE && info->num_components == 1;
    if (!ycc && !gray) return;
    info->raw_data_out = TRUE;
    jpeg_calc_output_dimensions(info);
    reader->planes = info->num_components;
    for (int c = 0; c < info->num_components; c++) {
        jpeg_component_info *component = &info->comp_info[c];
        reader->plane_width[c] = component->downsampled_width;
        reader->plane_height[c] = component->downsampled_height;
        reader->plane_stride[c] = component->width_in_blocks * QUARRY_DCT_SIZE(component);
        reader->plane_rows[c] = info->total_iMCU_rows * component->v_samp_factor * QUARRY_DCT_SIZE(component);
    }
}

static inline __attribute__((noinline)) int quarry_jpeg_open_jump(struct quarry_jpeg_reader *reader,
                                                                  const uint8_t *data, size_t size,
                                                                  uint64_t max_pixels, int keep_gray,
                                                                  int scale_denom, int fast, int planar) {
    struct jpeg_decompress_struct *info = &reader->info;
    if (setjmp(reader->error.jump)) return -1;
    jpeg_create_decompress(info);
    jpeg_mem_src(info, data, (unsigned long)size);
    if (jpeg_read_header(info, TRUE) != JPEG_HEADER_OK) {
        snprintf(reader->message, sizeof reader->message, "no image in the JPEG stream");
        return -1;
    }
    if ((uint64_t)info->image_width * info->image_height > max_pixels) {
        snprintf(reader->message, sizeof reader->message, "image is larger than the pixel limit");
        return -1;
    }
    switch (info->jpeg_color_space) {
    case JCS_GRAYSCALE: info->out_color_space = keep_gray ? JCS_GRAYSCALE : JCS_RGB; break;
    /* libjpeg turns YCCK into CMYK; quarry_jpeg_read_pixels takes CMYK on to RGB. */
    case JCS_CMYK: case JCS_YCCK: info->out_color_space = JCS_CMYK; break;
    default: info->out_color_space = JCS_RGB; break;
    }
    info->scale_num = 1;
    info->scale_denom = (unsigned int)scale_denom;
    /* Thumbnails are shrunk again afterwards, which hides the cheaper IDCT and upsampling. */
    if (fast) {
        info->dct_method = JDCT_IFAST;
        info->do_fancy_upsampling = FALSE;
    }
    jpeg_calc_output_dimensions(info);
    if (planar) quarry_jpeg_choose_planes(reader);
    reader->width = info->output_width;
    reader->height = info->output_height;
    reader->channels = info->out_color_space == JCS_GRAYSCALE ? 1 : 3;
    return 0;
}

/* Returns 0, or -1 with a reason in reader->message. Call quarry_jpeg_close either way. */
static inline int quarry_jpeg_open(struct quarry_jpeg_reader *reader, const uint8_t *data, size_t size,
                                   uint64_t max_pixels, int keep_gray, int scale_denom, int fast,
                                   int planar) {
    memset(reader, 0, sizeof *reader);
    reader->info.err = jpeg_std_error(&reader->error.manager);
    reader->error.manager.error_exit = quarry_jpeg_error_exit;
    /* Corrupt data only warns in libjpeg-turbo; decoding refuses it just as verification does. */
    reader->error.manager.emit_message = quarry_jpeg_emit_message;
    reader->error.message = reader->message;
    reader->error.message_size = sizeof reader->message;
    return quarry_jpeg_open_jump(reader, data, size, max_pixels, keep_gray, scale_denom, fast, planar);
}

/* Photoshop writes Adobe-marked CMYK inverted (0 is full ink), which is what libjpeg hands back. */
static inline void quarry_jpeg_cmyk_row(const JSAMPLE *cmyk, uint8_t *rgb, uint32_t width, int inverted) {
    for (uint32_t x = 0; x < width; x++, cmyk += 4, rgb += 3) {
        unsigned k = inverted ? cmyk[3] : 255u - cmyk[3];
        for (int c = 0; c < 3; c++) {
            unsigned v = (inverted ? cmyk[c] : 255u - cmyk[c]) * k + 128;
            rgb[c] = (uint8_t)((v + (v >> 8)) >> 8);
        }
    }
}

/* Fills `pixels`, width × height × channels bytes, row by row with no padding. */
static inline __attribute__((noinline)) int quarry_jpeg_read_pixels(struct quarry_jpeg_reader *reader,
                                                                    uint8_t *pixels) {
    struct jpeg_decompress_struct *info = &reader->info;
    if (setjmp(reader->error.jump)) return -1;
    jpeg_start_decompress(info);
    size_t stride = (size_t)reader->width * reader->channels;
    if (info->out_color_space == JCS_CMYK) {
        JSAMPARRAY row = (*info->mem->alloc_sarray)((j_common_ptr)info, JPOOL_IMAGE, reader->width * 4, 1);
        while (info->output_scanline < info->output_height) {
            uint8_t *out = pixels + info->output_scanline * stride;
            jpeg_read_scanlines(info, row, 1);
            quarry_jpeg_cmyk_row(row[0], out, reader->width, info->saw_Adobe_marker);
        }
    } else {
        while (info->output_scanline < info->output_height) {
            JSAMPROW row = pixels + info->output_scanline * stride;
            jpeg_read_scanlines(info, &row, 1);
        }
    }
    jpeg_finish_decompress(info);
    return 0;
}

/* Fills reader->planes buffers of plane_rows × plane_stride bytes, one iMCU row per call. */
static inline __attribute__((noinline)) int quarry_jpeg_read_planes(struct quarry_jpeg_reader *reader,
                                                                    uint8_t *const *planes) {
    struct jpeg_decompress_struct *info = &reader->info;
    if (setjmp(reader->error.jump)) return -1;
    jpeg_start_decompress(info);
    JSAMPARRAY rows[3];
    int heights[3];
    for (int c = 0; c < reader->planes; c++) {
        jpeg_component_info *component = &info->comp_info[c];
        heights[c] = component->v_samp_factor * QUARRY_DCT_SIZE(component);
        rows[c] = (*info->mem->alloc_small)((j_common_ptr)info, JPOOL_IMAGE, (size_t)heights[c] * sizeof(JSAMPROW));
    }
    JDIMENSION lines = (JDIMENSION)(info->max_v_samp_factor * QUARRY_MIN_DCT_SIZE(info));
    for (JDIMENSION row = 0; info->output_scanline < info->output_height; row++) {
        for (int c = 0; c < reader->planes; c++) {
            for (int y = 0; y < heights[c]; y++)
                rows[c][y] = planes[c] + ((size_t)row * heights[c] + y) * reader->plane_stride[c];
        }
        jpeg_read_raw_data(info, rows, lines);
    }
    jpeg_finish_decompress(info);
    return 0;
}

static inline void quarry_jpeg_close(struct quarry_jpeg_reader *reader) {
    jpeg_destroy_decompress(&reader->info);
}
