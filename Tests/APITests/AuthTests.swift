@testable import API
import HTTP
import Testing

struct AuthTests {
    private func request(authorization: String?) -> Request {
        var headers = HTTPFields()
        if let authorization { headers.append("Authorization", authorization) }
        let head = RequestHead(method: .get, target: "/", version: .http1_1, headers: headers, keepAlive: true, expectsContinue: false)
        return Request(head: head, body: .empty, requestID: "t", remoteAddress: "t")
    }

    @Test func bothSchemesYieldTheKey() {
        #expect(Auth.presentedKey(request(authorization: "Bearer qk_abc")) == "qk_abc")
        #expect(Auth.presentedKey(request(authorization: "api_key qk_abc")) == "qk_abc")
        #expect(Auth.presentedKey(request(authorization: "bearer  qk_abc ")) == "qk_abc")
        #expect(Auth.presentedKey(request(authorization: "API_KEY\tqk_abc")) == "qk_abc")
    }

    @Test func otherSchemesPresentAnEmptyKeyAndNoHeaderPresentsNone() {
        #expect(Auth.presentedKey(request(authorization: "Basic dXNlcjpwYXNz")) == "")
        #expect(Auth.presentedKey(request(authorization: "qk_abc")) == "")
        #expect(Auth.presentedKey(request(authorization: "bearerx qk_abc")) == "")
        #expect(Auth.presentedKey(request(authorization: "api-key qk_abc")) == "")
        #expect(Auth.presentedKey(request(authorization: "Bearer")) == "")
        #expect(Auth.presentedKey(request(authorization: nil)) == nil)
    }
}
