@testable import HTTP
import Testing

/// What a parser reported, one element per part: its header fields and its whole content.
struct ParsedPart: Equatable {
    var fields: [String]
    var content: [UInt8]
}

/// Feeds `body` to a fresh parser in pieces of `pieceSize` bytes, then finishes it.
func parseMultipart(_ body: [UInt8], boundary: String = "XyZ", pieceSize: Int = .max,
                    maxPartHeaderBytes: Int = 8192) throws -> [ParsedPart] {
    var parser = MultipartParser(boundary: boundary, maxPartHeaderBytes: maxPartHeaderBytes)
    var parts: [ParsedPart] = []
    var open = false
    var offset = 0
    while offset < body.count {
        let end = min(body.count, offset + min(pieceSize, body.count))
        try body[offset..<end].withUnsafeBytes { piece in
            try parser.feed(piece) { event in
                switch event {
                case .partBegin(let fields):
                    #expect(!open, "a part began inside another")
                    open = true
                    parts.append(ParsedPart(fields: fields.map { "\($0.name): \($0.value)" }, content: []))
                case .partData(let data):
                    #expect(open && !data.isEmpty)
                    parts[parts.count - 1].content.append(contentsOf: data)
                case .partEnd:
                    #expect(open)
                    open = false
                }
            }
        }
        offset = end
    }
    try parser.finish()
    return parts
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

struct MultipartParserTests {
    static let form = bytes(
        "preamble, ignored\r\n"
        + "--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"title\"\r\n"
        + "\r\n"
        + "Cats\r\n"
        + "--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"photo\"; filename=\"cat.png\"\r\n"
        + "Content-Type: image/png\r\n"
        + "\r\n"
        + "\u{89}PNG\r\n\r\nbinary\r\r\n-- data\r\n"
        + "--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"empty\"\r\n"
        + "\r\n"
        + "\r\n"
        + "--XyZ--\r\n"
        + "epilogue, ignored too")

    static let expected = [
        ParsedPart(fields: ["Content-Disposition: form-data; name=\"title\""], content: bytes("Cats")),
        ParsedPart(fields: ["Content-Disposition: form-data; name=\"photo\"; filename=\"cat.png\"",
                            "Content-Type: image/png"],
                   content: bytes("\u{89}PNG\r\n\r\nbinary\r\r\n-- data")),
        ParsedPart(fields: ["Content-Disposition: form-data; name=\"empty\""], content: []),
    ]

    @Test func aFormWithTextFieldsAndAFileYieldsEachPartsHeadersAndContent() throws {
        #expect(try parseMultipart(Self.form) == Self.expected)
    }

    @Test func everyPieceSizeFromOneByteUpGivesTheSameParts() throws {
        for pieceSize in [1, 2, 3, 5, 7, 8, 13, 64] {
            #expect(try parseMultipart(Self.form, pieceSize: pieceSize) == Self.expected, "piece size \(pieceSize)")
        }
    }

    @Test func boundaryLikeTextThatIsNotAWholeDelimiterLineIsContent() throws {
        let content = "a --XyZ b\r\n-XyZ\r\n--Xy\r\n--xyz\r\n\n--XyZ"
        let body = bytes("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\(content)\r\n--XyZ--")
        for pieceSize in [1, 4, .max] {
            #expect(try parseMultipart(body, pieceSize: pieceSize).map(\.content) == [bytes(content)])
        }
    }

    @Test func aDelimiterFollowedByOtherTextIsMalformedSinceTheBoundaryMayNotOccurInContent() {
        let body = bytes("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--XyZw\r\n--XyZ--")
        #expect(throws: MultipartError.malformed("a boundary delimiter is followed by unexpected bytes")) {
            try parseMultipart(body)
        }
    }

    @Test func aDelimiterAtTheVeryStartNeedsNoPrecedingLineBreak() throws {
        let body = bytes("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ--")
        #expect(try parseMultipart(body).map(\.content) == [bytes("1")])
    }

    @Test func transportPaddingAfterADelimiterIsAllowed() throws {
        let body = bytes("--XyZ \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
            + "--XyZ  \r\nX-A: b\r\n\r\n\r\n--XyZ--")
        #expect(try parseMultipart(body).map(\.content) == [bytes("1"), []])
    }

    @Test func aBodyWithoutItsClosingDelimiterIsMalformed() {
        let truncated = bytes("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhalf a part")
        #expect(throws: MultipartError.malformed("the body ends before its closing boundary delimiter")) {
            try parseMultipart(truncated)
        }
        #expect(throws: MultipartError.self) { try parseMultipart(bytes("no delimiter at all")) }
        #expect(throws: MultipartError.self) { try parseMultipart(bytes("--XyZ\r\nA: b\r\n\r\nx\r\n--XyZ")) }
    }

    @Test func anEmptyFormIsJustTheClosingDelimiter() throws {
        #expect(try parseMultipart(bytes("--XyZ--\r\n")).isEmpty)
    }

    @Test func malformedHeaderLinesAreRefused() {
        for header in ["no colon", ": empty name", "Bad Name: x", " folded: line", "Control: a\u{01}b"] {
            let body = bytes("--XyZ\r\n\(header)\r\n\r\nx\r\n--XyZ--")
            #expect(throws: MultipartError.self, "header \(header)") { try parseMultipart(body) }
        }
    }

    @Test func aPartHeaderBlockLargerThanTheLimitIsRefusedEvenInPieces() {
        let body = bytes("--XyZ\r\nX-Long: \(String(repeating: "a", count: 200))\r\n\r\nx\r\n--XyZ--")
        for pieceSize in [1, 50, .max] {
            #expect(throws: MultipartError.headerTooLarge) {
                try parseMultipart(body, pieceSize: pieceSize, maxPartHeaderBytes: 100)
            }
        }
        let endless = bytes("--XyZ\r\nX-Long: ") + [UInt8](repeating: UInt8(ascii: "a"), count: 10_000)
        #expect(throws: MultipartError.headerTooLarge) {
            try parseMultipart(endless, pieceSize: 4096, maxPartHeaderBytes: 100)
        }
    }

    @Test func theBoundaryIsReadFromTheContentTypeQuotedOrNot() {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=----WebKitFormBoundary7MA4")
            == "----WebKitFormBoundary7MA4")
        #expect(MultipartParser.boundary(contentType: "Multipart/Form-Data ; charset=utf-8;BOUNDARY=\"a b:c=d?\"")
            == "a b:c=d?")
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"q\\\"x\"") == nil)
        let longest = String(repeating: "b", count: 70)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\(longest)") == longest)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\(longest)b") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"\"") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"ends \"") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/mixed; boundary=abc") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"unterminated") == nil)
    }

    @Test func aQuotedBoundaryWithSpacesAndPunctuationDelimitsParts() throws {
        let boundary = try #require(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"a b'(c)\""))
        let body = bytes("--a b'(c)\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nvalue\r\n--a b'(c)--")
        #expect(try parseMultipart(body, boundary: boundary, pieceSize: 3).map(\.content) == [bytes("value")])
    }

    @Test func contentDispositionParametersResolveQuotedPairEscapes() throws {
        let value = try #require(ParameterizedHeaderValue(
            #"Form-Data; name="a \"quoted\" \\ name"; filename=plain.txt; filename*=UTF-8''x"#))
        #expect(value.value == "form-data")
        #expect(value["name"] == #"a "quoted" \ name"#)
        #expect(value["filename"] == "plain.txt")
        #expect(ParameterizedHeaderValue("form-data; name") == nil)
        #expect(ParameterizedHeaderValue("form-data; name=\"open") == nil)
        #expect(ParameterizedHeaderValue("form-data; name=a b") == nil)
        #expect(ParameterizedHeaderValue("form-data;; name=a;")?["name"] == "a")
    }
}
