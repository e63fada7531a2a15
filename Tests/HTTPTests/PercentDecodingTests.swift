import HTTP
import Testing

struct PercentDecodingTests {
    @Test func escapesDecodeInEitherCaseAndPlainTextIsUnchanged() {
        #expect(PercentDecoding.decode("a%20b%2fc%2F") == "a b/c/")
        #expect(PercentDecoding.decode("J%C3%BCrgen") == "Jürgen")
        #expect(PercentDecoding.decode("plain-text_1.txt") == "plain-text_1.txt")
        #expect(PercentDecoding.decode("") == "")
        #expect(PercentDecoding.decode("%25") == "%")
    }

    @Test func plusIsASpaceOnlyWhenAskedFor() {
        #expect(PercentDecoding.decode("a+b%2B") == "a+b+")
        #expect(PercentDecoding.decode("a+b%2B", plusAsSpace: true) == "a b+")
    }

    @Test func malformedEscapesAndInvalidUTF8AreNil() {
        for text in ["%", "%2", "a%g1", "%%41", "%C3", "%FF", "%C3%28", "%ED%A0%80"] {
            #expect(PercentDecoding.decode(text) == nil, "\(text)")
        }
    }

    @Test func substringsDecodeLikeStrings() {
        let text = "skip/a%20b/skip"
        let middle = text.split(separator: "/")[1]
        #expect(PercentDecoding.decode(middle) == "a b")
    }
}

struct QueryParametersTests {
    @Test func pairsAreDecodedAsFormEncodingInOrderWithRepeats() {
        let query = QueryParameters(rawQuery: "q=red+cat&tag=a&tag=b%26c&empty=&flag&caf%C3%A9=1")
        #expect(query.pairs.map(\.name) == ["q", "tag", "tag", "empty", "flag", "café"])
        #expect(query["q"] == "red cat")
        #expect(query["tag"] == "a")
        #expect(query.values("tag") == ["a", "b&c"])
        #expect(query["empty"] == "" && query["flag"] == "")
        #expect(query["café"] == "1")
        #expect(query["missing"] == nil && query.values("missing").isEmpty)
    }

    @Test func onlyTheFirstEqualsSignSplitsAPair() {
        #expect(QueryParameters(rawQuery: "token=a=b==")["token"] == "a=b==")
    }

    @Test func emptyQueriesAndEmptyPiecesYieldNothing() {
        #expect(QueryParameters(rawQuery: "").pairs.isEmpty)
        #expect(QueryParameters(rawQuery: "&&").pairs.isEmpty)
        #expect(QueryParameters(rawQuery: "&a=1&").pairs.map(\.value) == ["1"])
    }

    @Test func aPairWithAMalformedEscapeIsDroppedAndTheRestKept() {
        let query = QueryParameters(rawQuery: "bad=%zz&good=1&%=2&utf=%FF")
        #expect(query.pairs.map(\.name) == ["good"])
        #expect(Array(query).count == 1)
    }

    @Test func requestsParseTheirQueryFromTheTarget() {
        let head = RequestHead(method: .get, target: "/search?q=a%20b&page=2", version: .http1_1,
                               headers: HTTPFields(), keepAlive: true, expectsContinue: false)
        let request = Request(head: head, body: .empty, requestID: "r", remoteAddress: "::1")
        #expect(request.path == "/search")
        #expect(request.query["q"] == "a b" && request.query["page"] == "2")
    }
}
