@testable import HTTP
import Testing

/// Heads the parser accepts. Every one goes through `expectHead`, which feeds it whole, one byte
/// at a time and pipelined, and expects the same result each way.
struct RequestHeadParserTests {
    @Test func simpleGetParsesEveryPart() {
        let head = expectHead("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(head?.method == "GET")
        #expect(head?.target == "/")
        #expect(head?.version == .http1_1)
        #expect(head?.fields == [["Host", "example.com"]])
        #expect(head?.framing == BodyFraming.none)
        #expect(head?.keepAlive == true)
        #expect(head?.expectsContinue == false)
    }

    @Test func headRequestKeepsItsMethod() {
        #expect(expectHead("HEAD /index.html HTTP/1.1\r\nHost: a\r\n\r\n")?.method == "HEAD")
    }

    @Test func anyTokenIsAMethodAndCaseIsKept() {
        #expect(expectHead("PURGE /cache HTTP/1.1\r\nHost: a\r\n\r\n")?.method == "PURGE")
        #expect(expectHead("get / HTTP/1.1\r\nHost: a\r\n\r\n")?.method == "get")
    }

    @Test func postWithContentLengthIsFramedByLength() {
        let head = expectHead("POST /items HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", body: "hello")
        #expect(head?.framing == .length(5))
    }

    @Test func contentLengthZeroIsAnEmptyBodyOfKnownLength() {
        #expect(expectHead("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")?.framing == .length(0))
    }

    @Test func chunkedTransferEncodingIsFramedAsChunked() {
        let head = expectHead("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                              body: "0\r\n\r\n")
        #expect(head?.framing == .chunked)
    }

    @Test func transferCodingNamesAreCaseInsensitiveAndEmptyListMembersIgnored() {
        // RFC 9110 §5.6.1: a recipient ignores empty list members.
        let head = expectHead("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , CHUNKED ,\r\n\r\n")
        #expect(head?.framing == .chunked)
    }

    @Test func leadingEmptyLinesAreSkipped() {
        let head = expectHead("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head?.target == "/")
    }

    @Test func http11KeepsTheConnectionByDefault() {
        #expect(expectHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n")?.keepAlive == true)
    }

    @Test func http10ClosesTheConnectionByDefault() {
        let head = expectHead("GET / HTTP/1.0\r\n\r\n")
        #expect(head?.version == .http1_0)
        #expect(head?.keepAlive == false)
    }

    @Test func http10KeepsTheConnectionWhenAskedTo() {
        #expect(expectHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.keepAlive == true)
    }

    @Test func connectionCloseEndsAnHTTP11Connection() {
        #expect(expectHead("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")?.keepAlive == false)
        #expect(expectHead("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, CLOSE\r\n\r\n")?.keepAlive == false)
        #expect(expectHead("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")?.keepAlive == false)
    }

    @Test func expect100ContinueIsReported() {
        let head = expectHead("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n",
                              body: "abc")
        #expect(head?.expectsContinue == true)
    }

    @Test func expect100ContinueIsIgnoredOnHTTP10() {
        // RFC 9110 §10.1.1: an HTTP/1.0 client cannot be waiting for a 100 response.
        #expect(expectHead("PUT /f HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")?.expectsContinue == false)
    }

    @Test func queryIsSplitFromThePath() {
        let head = expectHead("GET /search?q=a%20b&x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head?.target == "/search?q=a%20b&x=1")
        #expect(head?.path == "/search")
        #expect(head?.query == "q=a%20b&x=1")
    }

    @Test func asteriskFormIsAcceptedForOptions() {
        #expect(expectHead("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")?.target == "*")
    }

    @Test func http10MayOmitHost() {
        #expect(expectHead("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n")?.fields == [["Accept", "*/*"]])
    }

    @Test func valuesAreTrimmedOfSpacesAndTabsButKeepInnerWhitespace() {
        let head = expectHead("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t two  words \t\r\nX-Empty:\r\nX-Blank:  \t \r\n\r\n")
        #expect(head?.fields == [["Host", "a"], ["X-A", "two  words"], ["X-Empty", ""], ["X-Blank", ""]])
    }

    @Test func obsTextIsAcceptedInValues() {
        // "€" in UTF-8, and a lone 0xFF that is not UTF-8 and becomes U+FFFD.
        let raw = Array("GET / HTTP/1.1\r\nHost: a\r\nX-Price: 5 ".utf8) + [0xE2, 0x82, 0xAC]
            + Array("\r\nX-Latin: caf".utf8) + [0xFF] + Array("\r\n\r\n".utf8)
        let head = expectHead(bytes: raw)
        #expect(head?.fields == [["Host", "a"], ["X-Price", "5 €"], ["X-Latin", "caf\u{FFFD}"]])
    }

    @Test func fieldNamesMatchCaseInsensitivelyAndKeepTheirSpelling() {
        let head = expectHead("POST / HTTP/1.1\r\nhOsT: a\r\nCONTENT-LENGTH: 3\r\n\r\n", body: "abc")
        #expect(head?.framing == .length(3))
        #expect(head?.headers.first?.name == "hOsT")
        #expect(head?.headers.first?.canonicalName == "host")
    }

    @Test func everyNameGetsItsLowercaseFormWhateverItsSpelling() {
        let head = expectHead("GET / HTTP/1.1\r\nhost: a\r\nUSER-AGENT: b\r\nX-Custom-Thing: c\r\nx-lower: d\r\n\r\n")
        #expect(head?.headers.map(\.name) == ["host", "USER-AGENT", "X-Custom-Thing", "x-lower"])
        #expect(head?.headers.map(\.canonicalName) == ["host", "user-agent", "x-custom-thing", "x-lower"])
    }

    @Test func theTargetSplitsAtItsFirstQuestionMark() {
        let head = expectHead("GET /a?b?c HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(head?.path == "/a")
        #expect(head?.query == "b?c")
        #expect(expectHead("GET /a? HTTP/1.1\r\nHost: a\r\n\r\n")?.query == "")
    }

    @Test func repeatedFieldsKeepTheirOrder() {
        let head = expectHead("GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html\r\nX: 1\r\nAccept: */*\r\n\r\n")
        #expect(head?.fields == [["Host", "a"], ["Accept", "text/html"], ["X", "1"], ["Accept", "*/*"]])
    }

    @Test func aTypicalBrowserHeadParses() {
        let raw = "GET /api/images?page=2 HTTP/1.1\r\nHost: quarry.local:8080\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: application/json, text/plain, */*\r\nAccept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\nCookie: session=abc123; theme=dark\r\n\r\n"
        let head = expectHead(raw)
        #expect(head?.headers.count == 6)
        #expect(head?.query == "page=2")
    }
}
