@testable import HTTP
import Testing

/// Heads the parser refuses, one table per RFC rule. Each row is fed whole and drip-fed, and must
/// fail with the same error both ways without ever being accepted part way.
struct HeadRejectionTests {
    static let rfc9112Section2_2LineEndings: [Rejection] = [
        Rejection("bare LF ends every line", "GET / HTTP/1.1\nHost: a\n\n", .bareLF),
        Rejection("bare LF ends one field line", "GET / HTTP/1.1\r\nHost: a\nX: 1\r\n\r\n", .bareLF),
        Rejection("bare LF ends the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", .bareLF),
        Rejection("bare LF before the request line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .bareLF),
        Rejection("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", .bareCR),
        Rejection("bare CR in the target", "GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", .bareCR),
        Rejection("bare CR after the version", "GET / HTTP/1.1\r \r\nHost: a\r\n\r\n", .bareCR),
        Rejection("bare CR before the request line", "\r GET / HTTP/1.1\r\nHost: a\r\n\r\n", .bareCR),
        Rejection("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", .nulByte),
        Rejection("NUL in a name", "GET / HTTP/1.1\r\nHost: a\r\nX\0Y: 1\r\n\r\n", .nulByte),
        Rejection("NUL in the target", "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", .nulByte),
        Rejection("NUL in the method", "G\0T / HTTP/1.1\r\nHost: a\r\n\r\n", .nulByte),
        Rejection("five empty lines before the request line",
                  "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .tooManyLeadingEmptyLines),
    ]

    @Test(arguments: rfc9112Section2_2LineEndings)
    func lineEndingViolationsAreRefused(_ row: Rejection) {
        expectRejection(row.raw, row.error)
    }

    static let rfc9112Section3RequestLine: [Rejection] = [
        Rejection("delimiter in the method", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        Rejection("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        Rejection("tab after the method", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", .invalidMethod),
        Rejection("method alone", "GET\r\nHost: a\r\n\r\n", .invalidMethod),
        Rejection("two spaces after the method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", .invalidRequestLine),
        Rejection("no version (HTTP/0.9 style)", "GET /\r\nHost: a\r\n\r\n", .invalidRequestLine),
        Rejection("target without a leading slash", "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection("absolute-form target", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection("asterisk for a method other than OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection("asterisk followed by more", "OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection("control byte in the target", "GET /a\u{01}b HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection("tab in the target", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection("DEL in the target", "GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", .invalidTarget),
        Rejection(
            "byte above 0x7F in the target",
            bytes: Array("GET /caf".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8), .invalidTarget),
        Rejection("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", .unsupportedVersion),
        Rejection("HTTP/0.9 spelled out", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", .unsupportedVersion),
        Rejection("garbage version", "GET / FOO/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        Rejection("lowercase protocol name", "GET / http/1.1\r\nHost: a\r\n\r\n", .invalidVersion),
        Rejection("two-digit minor version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", .invalidVersion),
        Rejection("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", .invalidVersion),
        Rejection("space after the version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", .invalidVersion),
        Rejection("a fourth part", "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", .invalidVersion),
    ]

    @Test(arguments: rfc9112Section3RequestLine)
    func requestLineViolationsAreRefused(_ row: Rejection) {
        expectRejection(row.raw, row.error)
    }

    static let rfc9112Section5FieldSyntax: [Rejection] = [
        Rejection("obs-fold continuation line", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n",
                  .obsoleteLineFolding),
        Rejection("tab-led continuation line", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n",
                  .obsoleteLineFolding),
        Rejection("whitespace before the first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", .obsoleteLineFolding),
        Rejection("space before the colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", .whitespaceBeforeColon),
        Rejection("tab before the colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", .whitespaceBeforeColon),
        Rejection("delimiter in a name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", .invalidHeaderName),
        Rejection("space inside a name", "GET / HTTP/1.1\r\nHost: a\r\nX Y: 1\r\n\r\n", .whitespaceBeforeColon),
        Rejection("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", .invalidHeaderName),
        Rejection("line without a colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", .invalidHeaderName),
        Rejection("control byte in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{01}b\r\n\r\n", .invalidHeaderValue),
        Rejection("DEL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{7F}\r\n\r\n", .invalidHeaderValue),
    ]

    @Test(arguments: rfc9112Section5FieldSyntax)
    func fieldSyntaxViolationsAreRefused(_ row: Rejection) {
        expectRejection(row.raw, row.error)
    }

    static let rfc9112Section3_2Host: [Rejection] = [
        Rejection("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .missingHost),
        Rejection("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .multipleHosts),
        Rejection("two identical Host fields", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", .multipleHosts),
        Rejection("two Host fields on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .multipleHosts),
    ]

    @Test(arguments: rfc9112Section3_2Host)
    func hostViolationsAreRefused(_ row: Rejection) {
        expectRejection(row.raw, row.error)
    }
}
