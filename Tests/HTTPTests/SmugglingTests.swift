@testable import HTTP
import Testing

/// Message framing (RFC 9112 §6): the rules that keep Quarry and any proxy in front of it agreeing
/// on where each request's body ends. A disagreement lets one client hide a request inside another.
struct SmugglingTests {
    static let rfc9112Section6_1TransferEncoding: [Rejection] = [
        Rejection("Content-Length then Transfer-Encoding",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                  .contentLengthWithTransferEncoding),
        Rejection("Transfer-Encoding then Content-Length",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
                  .contentLengthWithTransferEncoding),
        Rejection("Transfer-Encoding on HTTP/1.0",
                  "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingOnHTTP10),
        Rejection("gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferCoding),
        Rejection("identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
                  .unsupportedTransferCoding),
        Rejection("gzip then chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                  .unsupportedTransferCoding),
        Rejection("gzip and chunked in separate fields",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                  .unsupportedTransferCoding),
        Rejection("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                  .invalidTransferEncoding),
        Rejection("chunked, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                  .invalidTransferEncoding),
        Rejection("chunked in two fields",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                  .invalidTransferEncoding),
        Rejection("empty value", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", .invalidTransferEncoding),
        Rejection("only commas", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , ,\r\n\r\n",
                  .invalidTransferEncoding),
        Rejection("chunked with a parameter",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", .invalidTransferEncoding),
        Rejection("two codings without a comma",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip chunked\r\n\r\n", .invalidTransferEncoding),
        Rejection("vertical tab around chunked",
                  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \u{0B}chunked\r\n\r\n", .invalidHeaderValue),
    ]

    @Test(arguments: rfc9112Section6_1TransferEncoding)
    func transferEncodingViolationsAreRefused(_ row: Rejection) {
        expectRejection(row.raw, row.error)
    }

    static let rfc9110Section8_6ContentLength: [Rejection] = [
        Rejection("differing values in separate fields",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                  .conflictingContentLength),
        Rejection("differing values in one list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n",
                  .conflictingContentLength),
        Rejection("plus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", .invalidContentLength),
        Rejection("minus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", .invalidContentLength),
        Rejection("space inside", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", .invalidContentLength),
        Rejection("hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength),
        Rejection("letters", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: five\r\n\r\n", .invalidContentLength),
        Rejection("empty value", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", .invalidContentLength),
        Rejection("empty list member", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,,5\r\n\r\n",
                  .invalidContentLength),
        Rejection("trailing comma", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", .invalidContentLength),
        Rejection("19 digits (overflow)",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000000000000\r\n\r\n", .invalidContentLength),
        Rejection("20 digits past Int.max",
                  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551617\r\n\r\n", .invalidContentLength),
    ]

    @Test(arguments: rfc9110Section8_6ContentLength)
    func contentLengthViolationsAreRefused(_ row: Rejection) {
        expectRejection(row.raw, row.error)
    }

    @Test func identicalContentLengthsInSeparateFieldsAreOneLength() {
        let head = expectHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
                              body: "hello")
        #expect(head?.framing == .length(5))
    }

    @Test func identicalContentLengthsInOneListAreOneLength() {
        let head = expectHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 ,5\r\n\r\n", body: "hello")
        #expect(head?.framing == .length(5))
    }

    @Test func eighteenDigitsIsTheLongestContentLength() {
        let head = expectHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n\r\n")
        #expect(head?.framing == .length(999_999_999_999_999_999))
    }

    @Test func rfc9110Section10_1_1UnknownExpectationIsRefused() {
        expectRejection(Array("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n\r\n".utf8), .unsupportedExpectation)
        expectRejection(Array("PUT / HTTP/1.1\r\nHost: a\r\nExpect:\r\n\r\n".utf8), .unsupportedExpectation)
    }

    @Test func framingErrorsOutrankAnUnknownExpectation() {
        // A 417 invites the client to retry without the expectation; a smuggling attempt must not get that.
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nExpect: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
        expectRejection(Array(raw.utf8), .contentLengthWithTransferEncoding)
    }
}
