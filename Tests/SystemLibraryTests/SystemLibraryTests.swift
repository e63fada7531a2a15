import CBLAS
import CCrypto
import CCurl
import CJPEG
import CPNG
import CSQLite
import CZlib
import Testing

/// Each system library target must compile, link and answer one real call: a missing -dev package
/// or a wrong module map shows up here rather than in the module that first needs the library.
struct SystemLibraryTests {
    @Test func sqliteOpensAnInMemoryDatabase() {
        var db: OpaquePointer?
        #expect(sqlite3_open(":memory:", &db) == SQLITE_OK)
        #expect(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)
    }

    @Test func curlReportsAVersion() {
        #expect(String(cString: curl_version()).hasPrefix("libcurl/"))
    }

    @Test func zlibRoundTripsBytes() {
        let input = [UInt8](repeating: 7, count: 4096)
        var compressed = [UInt8](repeating: 0, count: Int(compressBound(UInt(input.count))))
        var compressedLength = UInt(compressed.count)
        #expect(compress(&compressed, &compressedLength, input, UInt(input.count)) == Z_OK)
        var output = [UInt8](repeating: 0, count: input.count)
        var outputLength = UInt(output.count)
        #expect(uncompress(&output, &outputLength, compressed, compressedLength) == Z_OK)
        #expect(output == input)
    }

    @Test func libjpegCreatesADecompressor() {
        var info = jpeg_decompress_struct()
        var errors = jpeg_error_mgr()
        info.err = jpeg_std_error(&errors)
        jpeg_CreateDecompress(&info, JPEG_LIB_VERSION, MemoryLayout<jpeg_decompress_struct>.size)
        jpeg_destroy_decompress(&info)
        #expect(JPEG_LIB_VERSION >= 62)
    }

    @Test func libpngIsVersion16() {
        #expect(png_access_version_number() / 100 == 106)
    }

    @Test func cryptoHashesWithSHA256() {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        #expect(EVP_Digest("abc", 3, &digest, &length, EVP_sha256(), nil) == 1)
        #expect(length == 32 && digest.prefix(4) == [0xba, 0x78, 0x16, 0xbf])
    }

    @Test func openblasMultipliesMatrices() {
        let a: [Float] = [1, 2, 3, 4]
        let b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50])
    }
}
