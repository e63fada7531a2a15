// Runs every kernel of Resources/cuda/kernels.ptx on the emulated device (make emulated-gpu-race, under
// ThreadSanitizer) and compares its results with naive references computed here, on small odd shapes
// that leave partial tiles, partial warps and windows hanging over the padding.
//
// It goes through the driver API as Quarry does: cuModuleLoadData on the PTX, cuMemAlloc and copies,
// cuLaunchKernel with kernelParams, whose types are checked against the .param list of the PTX entry.
// Device memory starts as NaN bytes in the emulator, so a kernel that reads what it should overwrite shows.
// "1-D" kernels run under two launches each: fewer threads than values (a grid-stride loop that wraps)
// and more. Data movements and selections (masks, arg-max, pooling maxima) must match exactly; arithmetic
// within a relative error of 1e-4, where values under 1% of an array's largest count as that 1%
// (sums that cancel). Exits non-zero when a check fails or a kernel of the PTX was never launched.
//
// Usage: kernel_check [path/to/kernels.ptx]
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

// MARK: - The driver API entry points used (cuda.h's signatures)

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;

extern "C" {
CUresult cuInit(unsigned int flags);
CUresult cuDeviceGet(CUdevice *device, int ordinal);
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device);
CUresult cuCtxSetCurrent(CUcontext context);
CUresult cuCtxSynchronize(void);
CUresult cuModuleLoadData(CUmodule *module, const void *image);
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name);
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t size);
CUresult cuMemFree_v2(CUdeviceptr pointer);
CUresult cuMemcpyHtoD_v2(CUdeviceptr to, const void *from, size_t size);
CUresult cuMemcpyDtoH_v2(void *to, CUdeviceptr from, size_t size);
CUresult cuLaunchKernel(CUfunction function, unsigned int gridX, unsigned int gridY, unsigned int gridZ, unsigned int blockX,
                        unsigned int blockY, unsigned int blockZ, unsigned int sharedBytes, CUstream stream, void **parameters,
                        void **extra);
CUresult cuGetErrorName(CUresult error, const char **name);
}

static void fail_driver(const char *what, CUresult result) {
    const char *name = "?";
    cuGetErrorName(result, &name);
    fprintf(stderr, "kernel_check: %s failed: %s (%d)\n", what, name, result);
    exit(2);
}
#define DRIVER(call) \
    do { \
        CUresult result_ = (call); \
        if (result_ != 0) fail_driver(#call, result_); \
    } while (0)

// MARK: - Device buffers and launches

template <typename T>
struct Buffer {
    CUdeviceptr pointer = 0;
    size_t count;
    // Uninitialized: the emulator fills it with 0xFF bytes (NaN floats, -1 ints).
    explicit Buffer(size_t count) : count(count) { DRIVER(cuMemAlloc_v2(&pointer, count * sizeof(T))); }
    explicit Buffer(const std::vector<T> &values) : Buffer(values.size()) { write(values); }
    ~Buffer() { cuMemFree_v2(pointer); }
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;
    void write(const std::vector<T> &values) { DRIVER(cuMemcpyHtoD_v2(pointer, values.data(), count * sizeof(T))); }
    std::vector<T> read() const {
        std::vector<T> values(count);
        DRIVER(cuMemcpyDtoH_v2(values.data(), pointer, count * sizeof(T)));
        return values;
    }
};

static const CUdeviceptr null = 0;

struct Dim {
    unsigned x, y, z;
    Dim(unsigned x, unsigned y = 1, unsigned z = 1) : x(x), y(y), z(z) {}
};

static CUmodule module;
static std::map<std::string, std::vector<std::string>> entry_parameters;  // .param types of each PTX entry
static std::vector<std::string> entry_order;
static std::set<std::string> launched;

// Reads the .entry names and their .param types from the PTX.
static void scan_entries(const std::string &ptx) {
    for (size_t at = ptx.find(".entry "); at != std::string::npos; at = ptx.find(".entry ", at + 1)) {
        size_t open = ptx.find('(', at), close = ptx.find(')', open);
        std::string name = ptx.substr(at + 7, open - at - 7);
        name.erase(std::remove_if(name.begin(), name.end(), ::isspace), name.end());
        std::vector<std::string> types;
        std::istringstream list(ptx.substr(open + 1, close - open - 1));
        for (std::string word; list >> word;)
            if (word == ".param" && list >> word) types.push_back(word);
        entry_order.push_back(name);
        entry_parameters[name] = types;
    }
}

// The PTX type an argument of C++ type T must have.
template <typename T>
static bool matches(const std::string &type) {
    if (std::is_same<T, float>::value) return type == ".f32";
    if (std::is_same<T, int>::value) return type == ".u32" || type == ".s32" || type == ".b32";
    if (sizeof(T) == 8 && std::is_integral<T>::value) return type == ".u64" || type == ".s64" || type == ".b64";
    return false;
}

template <typename... Arguments>
static void launch(const char *name, Dim grid, Dim block, Arguments... arguments) {
    // Each argument's type against the entry's .param list, as a mismatch would go unnoticed by the driver.
    const auto &types = entry_parameters[name];
    bool agree = types.size() == sizeof...(Arguments);
    size_t index = 0;
    ((agree = agree && matches<Arguments>(types[index++])), ...);
    if (!agree) {
        fprintf(stderr, "kernel_check: the arguments given to %s do not match its %zu PTX parameters\n", name, types.size());
        exit(2);
    }
    void *parameters[] = {&arguments...};
    CUfunction function;
    DRIVER(cuModuleGetFunction(&function, module, name));
    DRIVER(cuLaunchKernel(function, grid.x, grid.y, grid.z, block.x, block.y, block.z, 0, nullptr, parameters, nullptr));
    DRIVER(cuCtxSynchronize());
    launched.insert(name);
}

// The two launches each 1-D kernel gets: fewer threads than values, and more.
static const Dim linear_grids[] = {Dim(3), Dim(40)};
static const Dim linear_blocks[] = {Dim(37), Dim(64)};

// MARK: - Comparison

struct Outcome {
    bool ok = true;
    double worst = 0;  // largest relative error seen
    std::string problem;
};
static std::map<std::string, Outcome> outcomes;

static bool same(double a, double b) { return (a != a && b != b) || a == b; }

// Arithmetic results: relative error, with a floor of 1% of the largest reference value.
template <typename T, typename R>
static void expect_close(const char *kernel, const char *what, const std::vector<T> &got, const std::vector<R> &want,
                         double tolerance = 1e-4) {
    Outcome &outcome = outcomes[kernel];
    double largest = 0;
    for (R w : want)
        if (isfinite((double)w)) largest = std::max(largest, fabs((double)w));
    const double floor = std::max(1e-2 * largest, 1e-30);
    for (size_t i = 0; i < want.size(); i++) {
        const double g = got[i], w = want[i];
        double error = same(g, w) ? 0 : (isfinite(g) && isfinite(w)) ? fabs(g - w) / std::max(fabs(w), floor) : INFINITY;
        outcome.worst = std::max(outcome.worst, error);
        if (error > tolerance && outcome.ok) {
            outcome.ok = false;
            char text[200];
            snprintf(text, sizeof text, "%s[%zu] = %.9g, expected %.9g", what, i, g, w);
            outcome.problem = text;
        }
    }
}

// Copies, masks and selections: bit for bit (NaN equal to NaN).
template <typename T>
static void expect_exact(const char *kernel, const char *what, const std::vector<T> &got, const std::vector<T> &want) {
    Outcome &outcome = outcomes[kernel];
    for (size_t i = 0; i < want.size(); i++) {
        bool equal = std::is_floating_point<T>::value ? same(got[i], want[i]) && signbit((double)got[i]) == signbit((double)want[i])
                                                      : got[i] == want[i];
        if (!equal && outcome.ok) {
            outcome.ok = false;
            char text[200];
            snprintf(text, sizeof text, "%s[%zu] = %.9g, expected exactly %.9g", what, i, (double)got[i], (double)want[i]);
            outcome.problem = text;
        }
    }
    outcomes[kernel];
}

// MARK: - Data

static std::mt19937 generator(20261206);

static std::vector<float> random_values(size_t count, float low = -1, float high = 1) {
    std::uniform_real_distribution<float> distribution(low, high);
    std::vector<float> values(count);
    for (float &v : values) v = distribution(generator);
    return values;
}

static std::vector<int> random_ints(size_t count, int low, int high) {
    std::uniform_int_distribution<int> distribution(low, high);
    std::vector<int> values(count);
    for (int &v : values) v = distribution(generator);
    return values;
}

static std::vector<float> nans(size_t count) { return std::vector<float>(count, NAN); }

// MARK: - Elementwise

static void check_elementwise() {
    const int n = 1001;
    std::vector<float> x = random_values(n, -8, 8), y0 = random_values(n), dy = random_values(n);
    // The edges of the activations: NaN, ±0, 0 and 6 exactly, infinities.
    const float specials[] = {NAN, 0.0f, -0.0f, 6.0f, -6.0f, INFINITY, -INFINITY, 5.9999995f, 1e-30f};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) x[i * 97] = specials[i];

    for (int config = 0; config < 2; config++) {
        const Dim grid = linear_grids[config], block = linear_blocks[config];
        {
            Buffer<float> in(x), out(y0);
            launch("quarry_add", grid, block, in.pointer, out.pointer, n);
            std::vector<float> want(n);
            for (int i = 0; i < n; i++) want[i] = y0[i] + x[i];
            expect_exact("quarry_add", "y", out.read(), want);
        }
        {
            Buffer<float> out(y0), factor(std::vector<float>{0.8125f});
            launch("quarry_scale_by", grid, block, out.pointer, factor.pointer, n);
            std::vector<float> want(n);
            for (int i = 0; i < n; i++) want[i] = y0[i] * 0.8125f;
            expect_exact("quarry_scale_by", "y", out.read(), want);
        }
        {
            Buffer<float> in(x), out(n);
            launch("quarry_relu_forward", grid, block, in.pointer, out.pointer, n);
            std::vector<float> want(n);
            for (int i = 0; i < n; i++) want[i] = x[i] < 0 ? 0.0f : x[i];
            expect_exact("quarry_relu_forward", "y", out.read(), want);
        }
        {
            Buffer<float> gradient(dy), in(x), out(n);
            launch("quarry_relu_backward", grid, block, gradient.pointer, in.pointer, out.pointer, n);
            std::vector<float> want(n);
            for (int i = 0; i < n; i++) want[i] = x[i] > 0 ? dy[i] : 0.0f;
            expect_exact("quarry_relu_backward", "dx", out.read(), want);
        }
        {
            Buffer<float> in(x), out(n);
            launch("quarry_relu6_forward", grid, block, in.pointer, out.pointer, n);
            std::vector<float> want(n);
            for (int i = 0; i < n; i++) {  // Swift's min(max(x, 0), 6): max(x, y) = y >= x ? y : x
                float v = 0.0f >= x[i] ? 0.0f : x[i];
                want[i] = 6.0f < v ? 6.0f : v;
            }
            expect_exact("quarry_relu6_forward", "y", out.read(), want);
            if (!isnan(out.read()[0])) outcomes["quarry_relu6_forward"] = {false, 0, "NaN did not stay NaN"};
        }
        {
            Buffer<float> gradient(dy), in(x), out(n);
            launch("quarry_relu6_backward", grid, block, gradient.pointer, in.pointer, out.pointer, n);
            std::vector<float> want(n);
            for (int i = 0; i < n; i++) want[i] = x[i] > 0 && x[i] < 6 ? dy[i] : 0.0f;
            expect_exact("quarry_relu6_backward", "dx", out.read(), want);
        }
        {
            // The mask the CPU reproduces: splitmix64 of the index.
            const float probability = 0.3f;
            const unsigned long long seed = 0x0123456789ABCDEFULL;
            std::vector<float> forward(n), backward(n);
            int dropped = 0;
            for (int i = 0; i < n; i++) {
                unsigned long long z = seed + (unsigned long long)(i + 1) * 0x9E3779B97F4A7C15ULL;
                z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
                z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
                z ^= z >> 31;
                const float u = (float)(z >> 40) * 0x1p-24f, mask = u < probability ? 0.0f : 1.0f / (1.0f - probability);
                dropped += u < probability;
                forward[i] = x[i] * mask;
                backward[i] = dy[i] * mask;
            }
            Buffer<float> in(x), out(n), gradient(dy), dx(n);
            launch("quarry_dropout_forward", grid, block, in.pointer, out.pointer, n, probability, seed);
            launch("quarry_dropout_backward", grid, block, gradient.pointer, dx.pointer, n, probability, seed);
            expect_exact("quarry_dropout_forward", "y", out.read(), forward);
            expect_exact("quarry_dropout_backward", "dx", dx.read(), backward);
            if (dropped < 250 || dropped > 350)
                outcomes["quarry_dropout_forward"] = {false, 0, "dropped " + std::to_string(dropped) + " of 1001 at p = 0.3"};
        }
    }
}

// MARK: - Bias and sums

static void check_bias_and_sums() {
    const int batch = 3, channels = 5, plane = 7 * 9, n = batch * channels * plane, rows = 37, columns = 45;
    std::vector<float> x = random_values(n), rowBias = random_values(columns);
    std::vector<float> matrix = random_values(rows * columns);
    for (int config = 0; config < 2; config++) {
        const Dim grid = linear_grids[config], block = linear_blocks[config];
        {
            Buffer<float> y(matrix), b(rowBias);
            launch("quarry_bias_add_rows", grid, block, y.pointer, b.pointer, rows, columns);
            std::vector<float> want(matrix);
            for (int i = 0; i < rows * columns; i++) want[i] += rowBias[i % columns];
            expect_exact("quarry_bias_add_rows", "y", y.read(), want);
        }
    }
    std::vector<double> channelSums(channels, 0.0), columnSums(columns, 0.0);
    for (int i = 0; i < n; i++) channelSums[i / plane % channels] += x[i];
    for (int i = 0; i < rows * columns; i++) columnSums[i % columns] += matrix[i];
    for (unsigned threads : {256u, 37u}) {  // the reduction takes any block size
        Buffer<float> in(x), sums(channels);
        launch("quarry_channel_sums", Dim(channels), Dim(threads), in.pointer, sums.pointer, batch, channels, plane);
        expect_close("quarry_channel_sums", "sums", sums.read(), channelSums);
    }
    {
        Buffer<float> in(matrix), sums(columns);
        launch("quarry_column_sums", Dim((columns + 31) / 32), Dim(256), in.pointer, sums.pointer, rows, columns);
        expect_close("quarry_column_sums", "sums", sums.read(), columnSums);
    }
}

// MARK: - GEMM

// A float as TensorFloat-32 holds it: the significand rounded to 11 bits (10 stored), ties away from zero.
static double tf32(float x) {
    if (!isfinite(x) || x == 0) return x;
    int exponent;
    const double scaled = frexp(x, &exponent) * 2048.0;
    return ldexp((scaled >= 0 ? floor(scaled + 0.5) : -floor(-scaled + 0.5)) / 2048.0, exponent);
}

// Each layout in FP32 and in TF32, whose reference multiplies the operands rounded to TF32: the 1e-4
// tolerance is far below TF32's rounding (about 5e-4 per operand), so a TF32 kernel that did not round,
// or an FP32 one that did, fails.
static void check_gemm() {
    struct Case {
        int m, n, k, batch;
        float alpha, beta;
        int padding;  // extra elements per row in A, B and C
    };
    const Case cases[] = {{37, 45, 19, 1, 1.5f, 0.0f, 3}, {133, 70, 21, 2, -0.75f, 0.5f, 0}, {1, 1, 1, 1, 1.0f, 0.0f, 0},
                          {130, 129, 9, 1, 1.0f, 1.0f, 1}};
    const char *names[] = {"quarry_sgemm_nn", "quarry_sgemm_nt", "quarry_sgemm_tn",
                           "quarry_sgemm_nn_tf32", "quarry_sgemm_nt_tf32", "quarry_sgemm_tn_tf32"};
    for (int variant = 0; variant < 6; variant++) {
        const bool transposeA = variant % 3 == 2, transposeB = variant % 3 == 1, rounded = variant >= 3;
        const auto operand = [rounded](float value) { return rounded ? tf32(value) : (double)value; };
        for (const Case &c : cases) {
            // Stored shapes: A is m×k (k×m transposed), B k×n (n×k transposed), C m×n; rows padded.
            const int aRows = transposeA ? c.k : c.m, aColumns = transposeA ? c.m : c.k;
            const int bRows = transposeB ? c.n : c.k, bColumns = transposeB ? c.k : c.n;
            const int lda = aColumns + c.padding, ldb = bColumns + c.padding, ldc = c.n + c.padding;
            const long long strideA = (long long)aRows * lda + 5, strideB = (long long)bRows * ldb + 7, strideC = (long long)c.m * ldc + 2;
            // Row padding and the gaps between batch matrices hold NaN: a read outside the matrices shows.
            std::vector<float> a = nans(strideA * c.batch), b = nans(strideB * c.batch);
            for (int z = 0; z < c.batch; z++) {
                for (int r = 0; r < aRows; r++)
                    for (int col = 0; col < aColumns; col++) a[z * strideA + (long long)r * lda + col] = random_values(1)[0];
                for (int r = 0; r < bRows; r++)
                    for (int col = 0; col < bColumns; col++) b[z * strideB + (long long)r * ldb + col] = random_values(1)[0];
            }
            // beta = 0 must not read C: it holds NaN there, as fresh device memory does.
            std::vector<float> c0 = c.beta == 0 ? nans(strideC * c.batch) : random_values(strideC * c.batch);
            std::vector<double> want(c0.begin(), c0.end());
            for (int z = 0; z < c.batch; z++)
                for (int i = 0; i < c.m; i++)
                    for (int j = 0; j < c.n; j++) {
                        double sum = 0;
                        for (int p = 0; p < c.k; p++) {
                            double av = operand(transposeA ? a[z * strideA + (long long)p * lda + i] : a[z * strideA + (long long)i * lda + p]);
                            double bv = operand(transposeB ? b[z * strideB + (long long)j * ldb + p] : b[z * strideB + (long long)p * ldb + j]);
                            sum += av * bv;
                        }
                        double &out = want[z * strideC + (long long)i * ldc + j];
                        out = c.beta == 0 ? c.alpha * sum : c.alpha * sum + c.beta * out;
                    }
            Buffer<float> da(a), db(b), dc(c0);
            launch(names[variant], Dim((c.n + 63) / 64, (c.m + 127) / 128, c.batch), Dim(256), c.m, c.n, c.k, c.alpha, da.pointer,
                   lda, strideA, db.pointer, ldb, strideB, c.beta, dc.pointer, ldc, strideC);
            expect_close(names[variant], "C", dc.read(), want);
        }
    }
}

// MARK: - Convolution pieces

struct ConvShape {
    int batch, channels, height, width, kernelH, kernelW, stride, padding;
    int outH() const { return (height + 2 * padding - kernelH) / stride + 1; }
    int outW() const { return (width + 2 * padding - kernelW) / stride + 1; }
};

static std::vector<float> reference_im2col(const std::vector<float> &x, const ConvShape &s) {
    const int oh = s.outH(), ow = s.outW(), width = s.batch * oh * ow;
    std::vector<float> columns((size_t)s.channels * s.kernelH * s.kernelW * width);
    for (int c = 0; c < s.channels; c++)
        for (int i = 0; i < s.kernelH; i++)
            for (int j = 0; j < s.kernelW; j++)
                for (int n = 0; n < s.batch; n++)
                    for (int y = 0; y < oh; y++)
                        for (int z = 0; z < ow; z++) {
                            const int ih = y * s.stride - s.padding + i, iw = z * s.stride - s.padding + j;
                            const bool inside = ih >= 0 && ih < s.height && iw >= 0 && iw < s.width;
                            columns[((size_t)(c * s.kernelH + i) * s.kernelW + j) * width + n * oh * ow + y * ow + z] =
                                inside ? x[((size_t)(n * s.channels + c) * s.height + ih) * s.width + iw] : 0.0f;
                        }
    return columns;
}

static void check_convolution() {
    const ConvShape shapes[] = {{3, 5, 7, 9, 3, 2, 2, 1}, {3, 5, 7, 9, 3, 3, 1, 1}, {2, 3, 5, 6, 1, 1, 1, 0}};
    for (const ConvShape &s : shapes) {
        const int oh = s.outH(), ow = s.outW(), width = s.batch * oh * ow;
        const int inputs = s.batch * s.channels * s.height * s.width, rows = s.channels * s.kernelH * s.kernelW;
        std::vector<float> x = random_values(inputs), columnValues = random_values((size_t)rows * width);
        const std::vector<float> lowered = reference_im2col(x, s);
        // col2im is im2col's adjoint: each input pixel sums the entries copied from it.
        std::vector<double> folded(inputs, 0.0);
        for (int r = 0; r < rows; r++) {
            const int c = r / (s.kernelH * s.kernelW), i = r / s.kernelW % s.kernelH, j = r % s.kernelW;
            for (int col = 0; col < width; col++) {
                const int n = col / (oh * ow), y = col % (oh * ow) / ow, z = col % ow;
                const int ih = y * s.stride - s.padding + i, iw = z * s.stride - s.padding + j;
                if (ih >= 0 && ih < s.height && iw >= 0 && iw < s.width)
                    folded[((size_t)(n * s.channels + c) * s.height + ih) * s.width + iw] += columnValues[(size_t)r * width + col];
            }
        }
        for (int config = 0; config < 2; config++) {
            const Dim grid = linear_grids[config], block = linear_blocks[config];
            Buffer<float> in(x), columns((size_t)rows * width), gradient(columnValues), dx(inputs);
            launch("quarry_im2col", grid, block, in.pointer, columns.pointer, s.batch, s.channels, s.height, s.width, s.kernelH,
                   s.kernelW, s.stride, s.padding, oh, ow);
            expect_exact("quarry_im2col", "columns", columns.read(), lowered);
            launch("quarry_col2im", grid, block, gradient.pointer, dx.pointer, s.batch, s.channels, s.height, s.width, s.kernelH,
                   s.kernelW, s.stride, s.padding, oh, ow);
            expect_close("quarry_col2im", "x", dx.read(), folded);
        }
    }

    // Layout changes between NCHW and the GEMM's channel-major (C, N, P).
    const int batch = 3, channels = 5, plane = 63, n = batch * channels * plane;
    std::vector<float> x = random_values(n), bias = random_values(channels);
    std::vector<float> channelMajor(n), withBias(n), without(n);
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < plane; p++) {
                channelMajor[(c * batch + b) * plane + p] = x[(b * channels + c) * plane + p];
                without[(b * channels + c) * plane + p] = x[(c * batch + b) * plane + p];
                withBias[(b * channels + c) * plane + p] = x[(c * batch + b) * plane + p] + bias[c];
            }
    for (int config = 0; config < 2; config++) {
        const Dim grid = linear_grids[config], block = linear_blocks[config];
        Buffer<float> in(x), out(n), plain(n), biased(n), b(bias);
        launch("quarry_channels_first", grid, block, in.pointer, out.pointer, batch, channels, plane);
        expect_exact("quarry_channels_first", "y", out.read(), channelMajor);
        launch("quarry_batch_first", grid, block, in.pointer, plain.pointer, batch, channels, plane, null);
        launch("quarry_batch_first", grid, block, in.pointer, biased.pointer, batch, channels, plane, b.pointer);
        expect_exact("quarry_batch_first", "y", plain.read(), without);
        expect_exact("quarry_batch_first", "y + bias", biased.read(), withBias);
    }
}

static void check_depthwise() {
    struct Shape {
        int batch, channels, height, width, kernel, stride, padding;
    };
    const Shape shapes[] = {{3, 5, 7, 9, 3, 2, 1}, {2, 4, 6, 5, 3, 1, 1}, {2, 3, 8, 7, 5, 2, 2}};
    for (const Shape &s : shapes) {
        const int oh = (s.height + 2 * s.padding - s.kernel) / s.stride + 1, ow = (s.width + 2 * s.padding - s.kernel) / s.stride + 1;
        const int inputs = s.batch * s.channels * s.height * s.width, outputs = s.batch * s.channels * oh * ow;
        const int taps = s.kernel * s.kernel;
        std::vector<float> x = random_values(inputs), w = random_values(s.channels * taps), bias = random_values(s.channels);
        std::vector<float> dy = random_values(outputs);
        std::vector<double> y(outputs), yBias(outputs), dx(inputs, 0.0), dw(s.channels * taps, 0.0);
        for (int n = 0; n < s.batch; n++)
            for (int c = 0; c < s.channels; c++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++) {
                        const int o = ((n * s.channels + c) * oh + a) * ow + b;
                        double sum = 0;
                        for (int i = 0; i < s.kernel; i++)
                            for (int j = 0; j < s.kernel; j++) {
                                const int ih = a * s.stride - s.padding + i, iw = b * s.stride - s.padding + j;
                                if (ih < 0 || ih >= s.height || iw < 0 || iw >= s.width) continue;
                                const int e = ((n * s.channels + c) * s.height + ih) * s.width + iw;
                                sum += (double)w[c * taps + i * s.kernel + j] * x[e];
                                dx[e] += (double)w[c * taps + i * s.kernel + j] * dy[o];
                                dw[c * taps + i * s.kernel + j] += (double)dy[o] * x[e];
                            }
                        y[o] = sum;
                        yBias[o] = sum + bias[c];
                    }
        for (int config = 0; config < 2; config++) {
            const Dim grid = linear_grids[config], block = linear_blocks[config];
            Buffer<float> in(x), weight(w), b(bias), out(outputs), outBias(outputs), gradient(dy), inputGradient(inputs);
            launch("quarry_depthwise_forward", grid, block, in.pointer, weight.pointer, null, out.pointer, s.batch, s.channels,
                   s.height, s.width, s.kernel, s.stride, s.padding, oh, ow);
            launch("quarry_depthwise_forward", grid, block, in.pointer, weight.pointer, b.pointer, outBias.pointer, s.batch,
                   s.channels, s.height, s.width, s.kernel, s.stride, s.padding, oh, ow);
            expect_close("quarry_depthwise_forward", "y", out.read(), y);
            expect_close("quarry_depthwise_forward", "y + bias", outBias.read(), yBias);
            launch("quarry_depthwise_backward_input", grid, block, gradient.pointer, weight.pointer, inputGradient.pointer,
                   s.batch, s.channels, s.height, s.width, s.kernel, s.stride, s.padding, oh, ow);
            expect_close("quarry_depthwise_backward_input", "dx", inputGradient.read(), dx);
        }
        for (unsigned threads : {256u, 37u}) {
            Buffer<float> in(x), gradient(dy), weightGradient(s.channels * taps);
            launch("quarry_depthwise_backward_weight", Dim(s.channels * taps), Dim(threads), gradient.pointer, in.pointer,
                   weightGradient.pointer, s.batch, s.channels, s.height, s.width, s.kernel, s.stride, s.padding, oh, ow);
            expect_close("quarry_depthwise_backward_weight", "dweight", weightGradient.read(), dw);
        }
    }
}

// MARK: - Batch normalization

static void check_batchnorm() {
    const int batch = 3, channels = 5, plane = 63, n = batch * channels * plane, count = batch * plane;
    const float momentum = 0.1f, epsilon = 1e-5f;
    std::vector<float> x = random_values(n, 2, 5);  // off-center, so a one-pass variance would lose digits
    std::vector<float> gamma = random_values(channels, 0.5f, 1.5f), beta = random_values(channels), dy = random_values(n);
    std::vector<float> runningMean0 = random_values(channels), runningVariance0 = random_values(channels, 0.5f, 2);

    std::vector<double> mean(channels, 0), variance(channels, 0), inverse(channels), runningMean(channels), runningVariance(channels);
    for (int i = 0; i < n; i++) mean[i / plane % channels] += x[i];
    for (double &m : mean) m /= count;
    for (int i = 0; i < n; i++) variance[i / plane % channels] += (x[i] - mean[i / plane % channels]) * (x[i] - mean[i / plane % channels]);
    for (int c = 0; c < channels; c++) {
        inverse[c] = 1 / sqrt(variance[c] / count + epsilon);
        runningMean[c] = (1 - momentum) * runningMean0[c] + momentum * mean[c];
        runningVariance[c] = (1 - momentum) * runningVariance0[c] + momentum * variance[c] / (count - 1);
        variance[c] /= count;
    }
    for (unsigned threads : {256u, 37u}) {
        Buffer<float> in(x), m(channels), inv(channels), rm(runningMean0), rv(runningVariance0);
        launch("quarry_batchnorm_statistics", Dim(channels), Dim(threads), in.pointer, m.pointer, inv.pointer, rm.pointer, rv.pointer,
               batch, channels, plane, momentum, epsilon);
        expect_close("quarry_batchnorm_statistics", "mean", m.read(), mean);
        expect_close("quarry_batchnorm_statistics", "inverseDeviation", inv.read(), inverse);
        expect_close("quarry_batchnorm_statistics", "runningMean", rm.read(), runningMean);
        expect_close("quarry_batchnorm_statistics", "runningVariance", rv.read(), runningVariance);

        // A replica's sums: Σx, then Σ(x - center)² about the reference mean.
        std::vector<double> sums(channels, 0);
        for (int i = 0; i < n; i++) sums[i / plane % channels] += x[i];
        std::vector<float> center(mean.begin(), mean.end());
        std::vector<double> squares(channels, 0);
        for (int i = 0; i < n; i++) {
            const double d = (double)x[i] - center[i / plane % channels];
            squares[i / plane % channels] += d * d;
        }
        Buffer<float> centers(center);
        Buffer<double> s(channels), sq(channels);
        launch("quarry_batchnorm_sums", Dim(channels), Dim(threads), in.pointer, null, s.pointer, batch, channels, plane);
        launch("quarry_batchnorm_sums", Dim(channels), Dim(threads), in.pointer, centers.pointer, sq.pointer, batch, channels, plane);
        expect_close("quarry_batchnorm_sums", "sums", s.read(), sums);
        expect_close("quarry_batchnorm_sums", "squared deviations", sq.read(), squares);
    }

    // The rest starts from the reference statistics, as float.
    std::vector<float> meanF(mean.begin(), mean.end()), inverseF(inverse.begin(), inverse.end());
    std::vector<double> xhat(n), y(n), dgamma(channels, 0), dbeta(channels, 0), dxTraining(n), dxEval(n), dxShared(n);
    for (int i = 0; i < n; i++) {
        const int c = i / plane % channels;
        xhat[i] = ((double)x[i] - meanF[c]) * inverseF[c];
        y[i] = gamma[c] * xhat[i] + beta[c];
        dbeta[c] += dy[i];
        dgamma[c] += dy[i] * xhat[i];
    }
    for (int i = 0; i < n; i++) {
        const int c = i / plane % channels;
        dxTraining[i] = gamma[c] * inverseF[c] * (dy[i] - dbeta[c] / count - xhat[i] * dgamma[c] / count);
        // The same sums taken as those of a batch three times this one's, split across replicas.
        dxShared[i] = gamma[c] * inverseF[c] * (dy[i] - dbeta[c] / (3 * count) - xhat[i] * dgamma[c] / (3 * count));
        dxEval[i] = gamma[c] * inverseF[c] * dy[i];
    }
    {
        std::vector<float> variances = random_values(channels, 0.1f, 3);
        std::vector<double> want(channels);
        for (int c = 0; c < channels; c++) want[c] = 1 / sqrt((double)variances[c] + epsilon);
        Buffer<float> v(variances), inv(channels);
        launch("quarry_batchnorm_inverse_deviation", Dim(2), Dim(3), v.pointer, inv.pointer, channels, epsilon);
        expect_close("quarry_batchnorm_inverse_deviation", "inverseDeviation", inv.read(), want);
    }
    std::vector<float> xhatF(xhat.begin(), xhat.end()), dgammaF(dgamma.begin(), dgamma.end()), dbetaF(dbeta.begin(), dbeta.end());
    for (int config = 0; config < 2; config++) {
        const Dim grid = linear_grids[config], block = linear_blocks[config];
        Buffer<float> in(x), out(n), outOnly(n), normalized(n), m(meanF), inv(inverseF), g(gamma), b(beta);
        launch("quarry_batchnorm_normalize", grid, block, in.pointer, out.pointer, normalized.pointer, m.pointer, inv.pointer,
               g.pointer, b.pointer, batch, channels, plane);
        launch("quarry_batchnorm_normalize", grid, block, in.pointer, outOnly.pointer, null, m.pointer, inv.pointer, g.pointer,
               b.pointer, batch, channels, plane);
        expect_close("quarry_batchnorm_normalize", "y", out.read(), y);
        expect_close("quarry_batchnorm_normalize", "normalized", normalized.read(), xhat);
        expect_close("quarry_batchnorm_normalize", "y (no normalized)", outOnly.read(), y);

        Buffer<float> gradient(dy), xh(xhatF), dg(dgammaF), db(dbetaF), dx(n), dxE(n), dxS(n);
        launch("quarry_batchnorm_backward_input", grid, block, gradient.pointer, xh.pointer, inv.pointer, g.pointer, dg.pointer,
               db.pointer, dx.pointer, batch, channels, plane, 1, count);
        launch("quarry_batchnorm_backward_input", grid, block, gradient.pointer, null, inv.pointer, g.pointer, dg.pointer, db.pointer,
               dxE.pointer, batch, channels, plane, 0, count);
        launch("quarry_batchnorm_backward_input", grid, block, gradient.pointer, xh.pointer, inv.pointer, g.pointer, dg.pointer,
               db.pointer, dxS.pointer, batch, channels, plane, 1, 3 * count);
        expect_close("quarry_batchnorm_backward_input", "dx (training)", dx.read(), dxTraining);
        expect_close("quarry_batchnorm_backward_input", "dx (evaluation)", dxE.read(), dxEval);
        expect_close("quarry_batchnorm_backward_input", "dx (statistics shared)", dxS.read(), dxShared);
    }
    for (unsigned threads : {256u, 37u}) {
        Buffer<float> gradient(dy), xh(xhatF), dg(channels), db(channels);
        launch("quarry_batchnorm_backward_reduce", Dim(channels), Dim(threads), gradient.pointer, xh.pointer, dg.pointer, db.pointer,
               batch, channels, plane);
        expect_close("quarry_batchnorm_backward_reduce", "dgamma", dg.read(), dgamma);
        expect_close("quarry_batchnorm_backward_reduce", "dbeta", db.read(), dbeta);
    }
}

// MARK: - Pooling

static void check_pooling() {
    struct Shape {
        int kernel, stride, padding;
    };
    const int planes = 15, height = 7, width = 9;
    const Shape shapes[] = {{3, 2, 1}, {2, 2, 0}, {3, 1, 1}};
    // Few distinct values, so windows hold ties; a few NaNs, which never win.
    std::vector<float> x(planes * height * width);
    for (float &v : x) v = (float)random_ints(1, -3, 3)[0];
    for (int i = 5; i < (int)x.size(); i += 41) x[i] = NAN;
    for (const Shape &s : shapes) {
        const int oh = (height + 2 * s.padding - s.kernel) / s.stride + 1, ow = (width + 2 * s.padding - s.kernel) / s.stride + 1;
        const int outputs = planes * oh * ow, inputs = planes * height * width;
        std::vector<float> dy = random_values(outputs), maxima(outputs), averages(outputs), maxGradient(inputs, 0.0f),
                           averageGradient(inputs, 0.0f);
        std::vector<int> argmax(outputs);
        const float scale = 1.0f / (float)(s.kernel * s.kernel);
        // Pool2D's loops, in its order.
        for (int p = 0; p < planes; p++)
            for (int a = 0; a < oh; a++)
                for (int b = 0; b < ow; b++) {
                    const int o = (p * oh + a) * ow + b, top = a * s.stride - s.padding, left = b * s.stride - s.padding;
                    const int r0 = std::max(0, top), r1 = std::min(height, top + s.kernel);
                    const int c0 = std::max(0, left), c1 = std::min(width, left + s.kernel);
                    float best = -INFINITY, sum = 0;
                    int bestIndex = r0 * width + c0;
                    for (int ih = r0; ih < r1; ih++)
                        for (int iw = c0; iw < c1; iw++) {
                            const float v = x[p * height * width + ih * width + iw];
                            if (v > best) best = v, bestIndex = ih * width + iw;
                            sum += v;
                        }
                    maxima[o] = best;
                    argmax[o] = bestIndex;
                    averages[o] = sum * scale;
                    maxGradient[p * height * width + bestIndex] += dy[o];
                    for (int ih = r0; ih < r1; ih++)
                        for (int iw = c0; iw < c1; iw++) averageGradient[p * height * width + ih * width + iw] += dy[o] * scale;
                }
        for (int config = 0; config < 2; config++) {
            const Dim grid = linear_grids[config], block = linear_blocks[config];
            Buffer<float> in(x), y(outputs), average(outputs), gradient(dy), dx(inputs), dxAverage(inputs);
            Buffer<int> indices(outputs);
            launch("quarry_maxpool_forward", grid, block, in.pointer, y.pointer, indices.pointer, planes, height, width, oh, ow,
                   s.kernel, s.stride, s.padding);
            expect_exact("quarry_maxpool_forward", "y", y.read(), maxima);
            expect_exact("quarry_maxpool_forward", "argmax", indices.read(), argmax);
            launch("quarry_maxpool_backward", grid, block, gradient.pointer, indices.pointer, dx.pointer, planes, height, width, oh, ow,
                   s.kernel, s.stride, s.padding);
            expect_close("quarry_maxpool_backward", "dx", dx.read(), maxGradient);
            launch("quarry_avgpool_forward", grid, block, in.pointer, average.pointer, planes, height, width, oh, ow, s.kernel,
                   s.stride, s.padding);
            expect_exact("quarry_avgpool_forward", "y", average.read(), averages);
            launch("quarry_avgpool_backward", grid, block, gradient.pointer, dxAverage.pointer, planes, height, width, oh, ow,
                   s.kernel, s.stride, s.padding);
            expect_close("quarry_avgpool_backward", "dx", dxAverage.read(), averageGradient);
        }
    }
    const int plane = height * width;
    std::vector<float> values = random_values(planes * plane), dy = random_values(planes), means(planes), spread(planes * plane);
    for (int p = 0; p < planes; p++) {
        float sum = 0;
        for (int i = 0; i < plane; i++) sum += values[p * plane + i];
        means[p] = sum / (float)plane;
        for (int i = 0; i < plane; i++) spread[p * plane + i] = dy[p] / (float)plane;
    }
    for (int config = 0; config < 2; config++) {
        const Dim grid = linear_grids[config], block = linear_blocks[config];
        Buffer<float> in(values), y(planes), gradient(dy), dx(planes * plane);
        launch("quarry_global_avgpool_forward", grid, block, in.pointer, y.pointer, planes, plane);
        expect_exact("quarry_global_avgpool_forward", "y", y.read(), means);
        launch("quarry_global_avgpool_backward", grid, block, gradient.pointer, dx.pointer, planes, plane);
        expect_exact("quarry_global_avgpool_backward", "dx", dx.read(), spread);
    }
    // Nearest upsampling by 2 and 3, and its adjoint summed row by row as Upsample.nearestBackward does.
    for (int factor = 2; factor <= 3; factor++) {
        const int outH = height * factor, outW = width * factor;
        std::vector<float> copied(planes * outH * outW), upGradient = random_values(planes * outH * outW), sums(planes * plane);
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < outH; oh++)
                for (int ow = 0; ow < outW; ow++)
                    copied[(p * outH + oh) * outW + ow] = values[p * plane + oh / factor * width + ow / factor];
        for (int p = 0; p < planes; p++)
            for (int ih = 0; ih < height; ih++)
                for (int iw = 0; iw < width; iw++) {
                    float sum = 0;
                    for (int dh = 0; dh < factor; dh++)
                        for (int dw = 0; dw < factor; dw++) sum += upGradient[(p * outH + ih * factor + dh) * outW + iw * factor + dw];
                    sums[p * plane + ih * width + iw] = sum;
                }
        for (int config = 0; config < 2; config++) {
            const Dim grid = linear_grids[config], block = linear_blocks[config];
            Buffer<float> in(values), y(copied.size()), gradient(upGradient), dx(planes * plane);
            launch("quarry_upsample_nearest_forward", grid, block, in.pointer, y.pointer, planes, height, width, factor);
            expect_exact("quarry_upsample_nearest_forward", "y", y.read(), copied);
            launch("quarry_upsample_nearest_backward", grid, block, gradient.pointer, dx.pointer, planes, height, width, factor);
            expect_exact("quarry_upsample_nearest_backward", "dx", dx.read(), sums);
        }
    }
}

// MARK: - Loss and predictions

// Trainer.predictions' arg-max: start at 0, move on strictly greater.
static int reference_argmax(const float *row, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++)
        if (row[c] > row[best]) best = c;
    return best;
}

static void check_loss() {
    struct Case {
        int batch, classes;
        unsigned threads;
        float smoothing;
        int batchSize;  // what the gradient averages over: the rows, or a whole batch they are a slice of
    };
    const Case cases[] = {{7, 300, 256, 0.1f, 7}, {5, 10, 37, 0.0f, 12}};
    for (const Case &k : cases) {
        const int batch = k.batch, classes = k.classes;
        std::vector<float> logits = random_values(batch * classes, -4, 4);
        std::vector<int> labels = random_ints(batch, 0, classes - 1);
        for (int c = 0; c < classes; c++) logits[c] = 1.25f;               // row 0: all tied, the first wins
        logits[classes + 3] = logits[classes + classes - 2] = 9.0f;          // row 1: two maxima
        labels[2] = reference_argmax(&logits[2 * classes], classes);        // row 2: correct
        labels[1] = 3;
        const double onTarget = (1 - (double)k.smoothing) + k.smoothing / (double)classes, offTarget = k.smoothing / (double)classes;
        std::vector<double> gradient(batch * classes), rowLoss(batch);
        std::vector<int> correct(batch);
        for (int r = 0; r < batch; r++) {
            const float *row = &logits[r * classes];
            double largest = -INFINITY, sum = 0, loss = 0;
            for (int c = 0; c < classes; c++) largest = std::max(largest, (double)row[c]);
            for (int c = 0; c < classes; c++) sum += exp(row[c] - largest);
            const double logSumExp = largest + log(sum);
            for (int c = 0; c < classes; c++) {
                const double target = c == labels[r] ? onTarget : offTarget;
                loss += target * (logSumExp - row[c]);
                gradient[r * classes + c] = (exp(row[c] - logSumExp) - target) / k.batchSize;
            }
            rowLoss[r] = loss;
            correct[r] = reference_argmax(row, classes) == labels[r];
        }
        Buffer<float> z(logits), g(batch * classes), losses(batch);
        Buffer<int> l(labels), right(batch);
        launch("quarry_softmax_cross_entropy", Dim(batch), Dim(k.threads), z.pointer, l.pointer, g.pointer, losses.pointer,
               right.pointer, k.batchSize, classes, (float)onTarget, (float)offTarget);
        expect_close("quarry_softmax_cross_entropy", "gradient", g.read(), gradient);
        expect_close("quarry_softmax_cross_entropy", "rowLoss", losses.read(), rowLoss);
        expect_exact("quarry_softmax_cross_entropy", "rowCorrect", right.read(), correct);
    }

    // Totals over more rows than threads, and fewer.
    for (int batch : {300, 7}) {
        std::vector<float> rowLoss = random_values(batch, 0, 5);
        std::vector<int> correct = random_ints(batch, 0, 1);
        double loss = 0, right = 0;
        for (int r = 0; r < batch; r++) loss += rowLoss[r], right += correct[r];
        Buffer<float> losses(rowLoss), totals(2);
        Buffer<int> c(correct);
        launch("quarry_loss_totals", Dim(1), Dim(batch == 300 ? 256 : 37), losses.pointer, c.pointer, totals.pointer, batch);
        expect_close("quarry_loss_totals", "totals", totals.read(), std::vector<double>{loss / batch, right});
    }

    // Predictions, with ties and NaNs (a NaN at index 0 wins, others never; either makes the confidence NaN).
    for (unsigned threads : {256u, 37u}) {
        const int batch = 6, classes = 300;
        std::vector<float> logits = random_values(batch * classes, -4, 4);
        for (int c = 0; c < classes; c++) logits[c] = -2.0f;
        logits[classes + 7] = logits[classes + 250] = 8.0f;
        logits[2 * classes] = NAN;
        logits[3 * classes + 5] = NAN;
        std::vector<int> labels(batch);
        std::vector<double> confidences(batch);
        for (int r = 0; r < batch; r++) {
            const float *row = &logits[r * classes];
            labels[r] = reference_argmax(row, classes);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += exp((double)(row[c] - row[labels[r]]));
            confidences[r] = 1 / sum;
        }
        Buffer<float> z(logits), confidence(batch);
        Buffer<int> label(batch);
        launch("quarry_softmax_predictions", Dim(batch), Dim(threads), z.pointer, label.pointer, confidence.pointer, batch, classes);
        expect_exact("quarry_softmax_predictions", "labels", label.read(), labels);
        expect_close("quarry_softmax_predictions", "confidences", confidence.read(), confidences);
    }
}

// MARK: - Optimizers

static void check_optimizers() {
    const int n = 1001;
    std::vector<float> value = random_values(n), gradient = random_values(n), buffer = random_values(n);
    struct SGDCase {
        float learningRate, momentum, keep, weightDecay;
        int nesterov, fresh;
    };
    const SGDCase sgdCases[] = {{0.1f, 0.9f, 0.9f, 1e-4f, 0, 1}, {0.05f, 0.9f, 1.0f, 5e-4f, 1, 0}, {0.2f, 0.9f, 0.75f, 0, 0, 0},
                                {0.3f, 0.0f, 1.0f, 1e-3f, 0, 0}};
    for (const SGDCase &s : sgdCases)
        for (int config = 0; config < 2; config++) {
            std::vector<float> p(value), b(buffer);
            for (int i = 0; i < n; i++) {  // SGD.apply
                float d = gradient[i];
                if (s.weightDecay != 0) d += s.weightDecay * p[i];
                if (s.momentum != 0) {
                    b[i] = s.fresh ? d : s.momentum * b[i] + s.keep * d;
                    d = s.nesterov ? d + s.momentum * b[i] : b[i];
                }
                p[i] -= s.learningRate * d;
            }
            Buffer<float> dp(value), dg(gradient), db(buffer);
            launch("quarry_sgd", linear_grids[config], linear_blocks[config], dp.pointer, dg.pointer, s.momentum != 0 ? db.pointer : null,
                   n, s.learningRate, s.momentum, s.keep, s.weightDecay, s.nesterov, s.fresh);
            expect_close("quarry_sgd", "value", dp.read(), p);
            if (s.momentum != 0) expect_close("quarry_sgd", "momentum", db.read(), b);
        }

    {
        // AdamW.step's scalars for step 3, then AdamW.update's loop.
        const double lr = 1e-3, weightDecay = 0.01, t = 3;
        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        const float decay = (float)(1 - lr * weightDecay), stepSize = (float)(lr / (1 - pow(beta1, t)));
        const float correction2Root = (float)sqrt(1 - pow(beta2, t));
        std::vector<float> m0 = random_values(n, -0.1f, 0.1f), v0 = random_values(n, 0, 0.01f);
        std::vector<float> p(value), m(m0), v(v0);
        for (int i = 0; i < n; i++) {
            p[i] *= decay;
            m[i] += (1 - beta1) * (gradient[i] - m[i]);
            v[i] = v[i] * beta2 + (1 - beta2) * gradient[i] * gradient[i];
            p[i] -= stepSize * (m[i] / (sqrtf(v[i]) / correction2Root + epsilon));
        }
        for (int config = 0; config < 2; config++) {
            Buffer<float> dp(value), dg(gradient), dm(m0), dv(v0);
            launch("quarry_adamw", linear_grids[config], linear_blocks[config], dp.pointer, dg.pointer, dm.pointer, dv.pointer, n, decay,
                   stepSize, correction2Root, beta1, beta2, epsilon);
            expect_close("quarry_adamw", "value", dp.read(), p);
            expect_close("quarry_adamw", "m", dm.read(), m);
            expect_close("quarry_adamw", "v", dv.read(), v);
        }
    }

    // Per-block sums of squares: block b owns the values whose thread index i mod (grid·block) falls in it.
    for (int config = 0; config < 2; config++) {
        const int blocks = linear_grids[config].x, threads = linear_blocks[config].x;
        std::vector<double> partials(blocks, 0.0);
        for (int i = 0; i < n; i++) partials[i % (blocks * threads) / threads] += (double)gradient[i] * gradient[i];
        Buffer<float> dg(gradient), out(blocks);
        launch("quarry_sum_squares", Dim(blocks), Dim(threads), dg.pointer, n, out.pointer);
        expect_close("quarry_sum_squares", "partials", out.read(), partials);
    }
    struct ClipCase {
        std::vector<float> partials;
        float maxNorm;
    };
    const ClipCase clipCases[] = {{{3.5f, 0.25f, 9.0f, 1.5f, 0.0f, 2.0f, 7.75f}, 1.0f},
                                  {{3.5f, 0.25f, 9.0f, 1.5f, 0.0f, 2.0f, 7.75f}, 100.0f},
                                  {{1.0f, INFINITY, 2.0f}, 1.0f},
                                  {{1.0f, NAN}, 1.0f}};
    for (const ClipCase &k : clipCases)
        for (unsigned threads : {256u, 5u}) {
            double sum = 0;
            for (float p : k.partials) sum += p;
            const float norm = (float)sqrt(sum), scale = k.maxNorm / (norm + 1e-6f);
            const float coefficient = isfinite(norm) && scale < 1 ? scale : 1.0f;
            Buffer<float> in(k.partials), result(2);
            launch("quarry_clip_coefficient", Dim(1), Dim(threads), in.pointer, (int)k.partials.size(), k.maxNorm, result.pointer);
            expect_close("quarry_clip_coefficient", "result", result.read(), std::vector<double>{norm, coefficient});
        }
}

// MARK: - Data

static void check_pixels() {
    const int batch = 3, height = 7, width = 9, plane = height * width, n = batch * 3 * plane;
    const float mean[3] = {0.485f, 0.456f, 0.406f}, deviation[3] = {0.229f, 0.224f, 0.225f};
    std::vector<int> bytes = random_ints(batch * plane * 3, 0, 255);
    std::vector<unsigned char> pixels(bytes.begin(), bytes.end());
    pixels[0] = 0, pixels[1] = 255;
    std::vector<float> want(n);
    for (int b = 0; b < batch; b++)
        for (int c = 0; c < 3; c++) {
            const float scale = 1 / (255 * deviation[c]), offset = -mean[c] / deviation[c];  // ImageTensor.normalized
            for (int p = 0; p < plane; p++) want[(b * 3 + c) * plane + p] = (float)pixels[(b * plane + p) * 3 + c] * scale + offset;
        }
    for (int config = 0; config < 2; config++) {
        Buffer<unsigned char> in(pixels);
        Buffer<float> out(n);
        launch("quarry_normalize_pixels", linear_grids[config], linear_blocks[config], in.pointer, out.pointer, batch, height, width,
               mean[0], mean[1], mean[2], deviation[0], deviation[1], deviation[2]);
        expect_close("quarry_normalize_pixels", "images", out.read(), want, 1e-6);
    }
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "Resources/cuda/kernels.ptx";
    std::ifstream file(path);
    if (!file) {
        fprintf(stderr, "kernel_check: cannot read %s\n", path);
        return 2;
    }
    std::stringstream text;
    text << file.rdbuf();
    const std::string ptx = text.str();
    scan_entries(ptx);

    CUdevice device;
    CUcontext context;
    DRIVER(cuInit(0));
    DRIVER(cuDeviceGet(&device, 0));
    DRIVER(cuDevicePrimaryCtxRetain(&context, device));
    DRIVER(cuCtxSetCurrent(context));
    DRIVER(cuModuleLoadData(&module, ptx.c_str()));

    check_elementwise();
    check_bias_and_sums();
    check_gemm();
    check_convolution();
    check_depthwise();
    check_batchnorm();
    check_pooling();
    check_loss();
    check_optimizers();
    check_pixels();

    int passed = 0, failed = 0;
    for (const std::string &name : entry_order) {
        auto found = outcomes.find(name);
        if (!launched.count(name) || found == outcomes.end()) {
            printf("FAIL %-36s never launched\n", name.c_str());
            failed++;
        } else if (found->second.ok) {
            printf("ok   %-36s max relative error %.2g\n", name.c_str(), found->second.worst);
            passed++;
        } else {
            printf("FAIL %-36s %s\n", name.c_str(), found->second.problem.c_str());
            failed++;
        }
    }
    for (const auto &entry : outcomes)
        if (!entry_parameters.count(entry.first)) {
            printf("FAIL %-36s checked but not in the PTX\n", entry.first.c_str());
            failed++;
        }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
