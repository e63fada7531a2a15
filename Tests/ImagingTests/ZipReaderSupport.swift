import Foundation
import Imaging
import Testing

/// Archives for the reader's tests, made by Python's `zipfile` (an independent writer) and then,
/// for the attacks, patched byte by byte the way a hostile uploader would.
enum ZipReaderFixture {
    /// Runs `script` with `path` set to the archive to write and `patch` to rewrite one field of it:
    /// `patch(signature, offset, struct_format, value, which)` changes the field `offset` bytes into
    /// the `which`-th record starting with `signature` (b"PK\x01\x02" central, b"PK\x03\x04" local).
    static func make(in directory: String, _ script: String, arguments: [String] = []) throws -> String {
        let path = "\(directory)/test.zip"
        let prelude = #"""
            import struct, sys, zipfile
            path = sys.argv[1]
            def patch(signature, offset, fmt, value, which=0):
                data = bytearray(open(path, "rb").read())
                start = -1
                for _ in range(which + 1):
                    start = data.index(signature, start + 1)
                struct.pack_into(fmt, data, start + offset, value)
                open(path, "wb").write(data)

            """#
        let result = try runPython(prelude + script, [path] + arguments)
        try #require(result.status == 0, "\(result.output)")
        return path
    }

    /// The error `body` throws, failing the test if it throws none or another type.
    static func refusal(_ body: () throws(ZipReadError) -> Void) -> ZipReadError? {
        do {
            try body()
            Issue.record("expected a ZipReadError")
        } catch {
            return error
        }
        return nil
    }
}

extension ZipReadError {
    var isCorrupt: Bool {
        if case .corrupt = self { true } else { false }
    }
}
