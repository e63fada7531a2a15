import Foundation
import Storage
import Testing

struct BlobIDTests {
    private let valid = String(repeating: "0123456789abcdef", count: 4)

    @Test func onlySixtyFourLowercaseHexDigitsMakeAnID() {
        #expect(BlobID(hex: valid)?.hex == valid)
        #expect(BlobID(hex: valid)?.description == valid)
        #expect(BlobID(hex: valid.uppercased()) == nil)
        #expect(BlobID(hex: String(valid.dropLast())) == nil)
        #expect(BlobID(hex: valid + "0") == nil)
        #expect(BlobID(hex: String(valid.dropLast()) + "g") == nil)
        #expect(BlobID(hex: "../" + String(valid.dropFirst(3))) == nil)
    }

    @Test func encodesAsAPlainStringAndRefusesToDecodeAnythingElse() throws {
        let id = try #require(BlobID(hex: valid))
        let encoded = try JSONEncoder().encode([id])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"\(valid)\"]")
        #expect(try JSONDecoder().decode([BlobID].self, from: encoded) == [id])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([BlobID].self, from: Data("[\"abc\"]".utf8))
        }
    }
}
