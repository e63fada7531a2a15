@testable import HTTP
import Testing

enum ChunkedOutcome: Equatable {
    case decoded(body: [UInt8], consumed: Int, complete: Bool)
    case failed(ParseError)
}

/// Feeds `pieces` one after another to one decoder, as successive reads would arrive, and
/// collects what it emits. Every piece must be consumed whole until the decoder completes.
func decodeChunked(
    _ pieces: [ArraySlice<UInt8>], maxLineBytes: Int = 4096, maxTrailerBytes: Int = 16384
) -> ChunkedOutcome {
    var decoder = ChunkedDecoder(maxLineBytes: maxLineBytes, maxTrailerBytes: maxTrailerBytes)
    var body: [UInt8] = []
    var consumed = 0
    var offered = 0
    for piece in pieces {
        let result: Result<Int, ParseError> = withExactBuffer(piece) { buffer in
            do throws(ParseError) {
                return .success(try decoder.decode(buffer) { body.append(contentsOf: $0) })
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let count): consumed += count
        case .failure(let error): return .failed(error)
        }
        offered += piece.count
        if decoder.isComplete { break }
        #expect(consumed == offered, "a decoder that is not complete consumes all it is given")
    }
    #expect(decoder.decodedBytes == body.count)
    return .decoded(body: body, consumed: consumed, complete: decoder.isComplete)
}

/// Decodes `encoded` whole, split in two at every byte position, and one byte at a time, with a
/// pipelined request's bytes after it that must be left alone; each way must yield `body`.
func expectChunked(_ encoded: String, body: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = Array(encoded.utf8)
    let expected = ChunkedOutcome.decoded(body: Array(body.utf8), consumed: bytes.count, complete: true)
    let next = Array("GET / HTTP/1.1\r\n".utf8)
    #expect(decodeChunked([(bytes + next)[...]]) == expected, "whole, then a pipelined request",
            sourceLocation: sourceLocation)
    for split in 0...bytes.count {
        #expect(decodeChunked([bytes[..<split], (bytes + next)[split...]]) == expected, "split at \(split)",
                sourceLocation: sourceLocation)
    }
    #expect(decodeChunked(bytes.indices.map { bytes[$0...$0] }) == expected, "one byte at a time",
            sourceLocation: sourceLocation)
}

/// Expects `encoded` to fail with `error` both whole and fed one byte at a time.
func expectChunkedRejection(
    _ encoded: String, _ error: ParseError, maxLineBytes: Int = 4096, maxTrailerBytes: Int = 16384,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let bytes = Array(encoded.utf8)
    let limits = (maxLineBytes, maxTrailerBytes)
    #expect(decodeChunked([bytes[...]], maxLineBytes: limits.0, maxTrailerBytes: limits.1) == .failed(error),
            "whole", sourceLocation: sourceLocation)
    #expect(decodeChunked(bytes.indices.map { bytes[$0...$0] }, maxLineBytes: limits.0, maxTrailerBytes: limits.1)
            == .failed(error), "one byte at a time", sourceLocation: sourceLocation)
}

struct ChunkedDecoderTests {
    @Test func oneChunkThenTheLastChunk() {
        expectChunked("5\r\nhello\r\n0\r\n\r\n", body: "hello")
    }

    @Test func severalChunksAreJoined() {
        expectChunked("3\r\nabc\r\n4\r\ndefg\r\n1\r\nh\r\n0\r\n\r\n", body: "abcdefgh")
    }

    @Test func sizesAreHexInEitherCaseWithLeadingZeros() {
        expectChunked("a\r\n0123456789\r\n00B\r\nabcdefghijk\r\n000\r\n\r\n", body: "0123456789abcdefghijk")
    }

    @Test func anEmptyBodyIsJustTheLastChunk() {
        expectChunked("0\r\n\r\n", body: "")
    }

    @Test func rfc9112Section7_1_1ChunkExtensionsAreIgnored() {
        expectChunked("5;name=value\r\nhello\r\n6 ; a ; b = \"q \\\" x\" ;c=d\r\n world\r\n0;last\r\n\r\n",
                      body: "hello world")
    }

    @Test func rfc9112Section7_1_2TrailersAreValidatedAndDiscarded() {
        expectChunked("5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: \t v \r\nX-Empty:\r\n\r\n", body: "hello")
    }

    @Test func chunkDataMayHoldCRLFAndAnyByte() {
        expectChunked("7\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n", body: "\r\n0\r\n\r\n")
    }

    @Test func decodingStopsAtTheEndAndLeavesTheNextRequestAlone() {
        let encoded = Array("1\r\nx\r\n0\r\n\r\n".utf8)
        let stream = encoded + Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        var decoder = ChunkedDecoder()
        let consumed = withExactBuffer(stream[...]) { buffer in (try? decoder.decode(buffer) { _ in }) ?? -1 }
        #expect(consumed == encoded.count)
        #expect(decoder.isComplete)
        #expect(decoder.decodedBytes == 1)
        let again = withExactBuffer(stream[consumed...]) { buffer in (try? decoder.decode(buffer) { _ in }) ?? -1 }
        #expect(again == 0)
    }

    @Test func sixteenHexDigitsOverflow() {
        expectChunkedRejection("1000000000000000\r\n", .chunkSizeOverflow)
        expectChunkedRejection("0000000000000000\r\n", .chunkSizeOverflow)
        expectChunked("00000000000000a\r\n0123456789\r\n0\r\n\r\n", body: "0123456789")
    }

    @Test func aSizeMustBeHexDigits() {
        expectChunkedRejection("-5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        expectChunkedRejection("+5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        expectChunkedRejection("0x5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        expectChunkedRejection("xyz\r\n", .invalidChunkSize)
        expectChunkedRejection("\r\n", .invalidChunkSize)
        expectChunkedRejection(" 5\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
    }

    @Test func whitespaceAfterTheSizeIsAllowedOnlyBeforeAnExtension() {
        expectChunkedRejection("5 \r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
        expectChunkedRejection("5\t\r\nhello\r\n0\r\n\r\n", .invalidChunkSize)
    }

    @Test func malformedExtensionsAreRefused() {
        expectChunkedRejection("5;\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        expectChunkedRejection("5;a=\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        expectChunkedRejection("5;a b\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        expectChunkedRejection("5;a=b \r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        expectChunkedRejection("5;a=\"open\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
        expectChunkedRejection("5;a=\"q\"x\r\nhello\r\n0\r\n\r\n", .invalidChunkExtension)
    }

    @Test func chunkDataMustEndInCRLF() {
        expectChunkedRejection("5\r\nhelloX\r\n0\r\n\r\n", .missingChunkDataCRLF)
        expectChunkedRejection("5\r\nhello0\r\n\r\n", .missingChunkDataCRLF)
        expectChunkedRejection("5\r\nhello\rX", .bareCR)
    }

    @Test func bareLineEndsAreRefusedEverywhere() {
        expectChunkedRejection("5\nhello\r\n0\r\n\r\n", .bareLF)
        expectChunkedRejection("5\r\nhello\n0\r\n\r\n", .bareLF)
        expectChunkedRejection("5;a=b\nhello\r\n0\r\n\r\n", .bareLF)
        expectChunkedRejection("0\r\n\n", .bareLF)
        expectChunkedRejection("0\r\nX: 1\n\r\n", .bareLF)
        expectChunkedRejection("5\rhello\r\n0\r\n\r\n", .bareCR)
        expectChunkedRejection("0\r\n\rX", .bareCR)
    }

    @Test func theSizeLineIsBoundedByMaxLineBytes() {
        // 15 bytes of "5;a=bbbbbbbbbbb" plus CRLF is 17: one over a limit of 16.
        expectChunkedRejection("5;a=bbbbbbbbbbb\r\nhello\r\n0\r\n\r\n", .chunkLineTooLong, maxLineBytes: 16)
        let fits = Array("5;a=bbbbbbbbbb\r\nhello\r\n0\r\n\r\n".utf8)
        #expect(decodeChunked([fits[...]], maxLineBytes: 16)
            == .decoded(body: Array("hello".utf8), consumed: fits.count, complete: true))
    }

    @Test func theTrailerSectionIsBoundedByMaxTrailerBytes() {
        // "X: 12345\r\n" is 10 bytes and the final CRLF 2: 12 fits a limit of 12, 13 does not.
        #expect(decodeChunked([Array("0\r\nX: 12345\r\n\r\n".utf8)[...]], maxTrailerBytes: 12)
            == .decoded(body: [], consumed: 15, complete: true))
        expectChunkedRejection("0\r\nX: 123456\r\n\r\n", .trailerTooLarge, maxTrailerBytes: 12)
    }

    @Test func trailerFieldsFollowHeaderFieldRules() {
        expectChunkedRejection("0\r\nX: 1\r\n 2\r\n\r\n", .obsoleteLineFolding)
        expectChunkedRejection("0\r\nX : 1\r\n\r\n", .whitespaceBeforeColon)
        expectChunkedRejection("0\r\nX(y): 1\r\n\r\n", .invalidHeaderName)
        expectChunkedRejection("0\r\n: 1\r\n\r\n", .invalidHeaderName)
        expectChunkedRejection("0\r\nX: a\u{01}\r\n\r\n", .invalidHeaderValue)
        expectChunkedRejection("0\r\nX: a\0\r\n\r\n", .nulByte)
        expectChunkedRejection("0\r\nX: a\rb\r\n\r\n", .bareCR)
    }

    @Test func decodedBytesCountsEmittedBodyBytes() {
        var decoder = ChunkedDecoder()
        let first = Array("a\r\n01234".utf8)
        let consumed = withExactBuffer(first[...]) { buffer in (try? decoder.decode(buffer) { _ in }) ?? -1 }
        #expect(consumed == first.count)
        #expect(decoder.decodedBytes == 5)
        #expect(!decoder.isComplete)
    }
}
