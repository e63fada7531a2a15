@testable import API
import HTTP
import Testing

/// Which requests without credentials the Studio's single-user mode lets act as its account.
struct AnonymousStudioTests {
    private func request(_ headers: [(String, String)]) -> Request {
        var fields = HTTPFields()
        for (name, value) in headers { fields.append(name, value) }
        let head = RequestHead(method: .get, target: "/api/projects", version: .http1_1, headers: fields, keepAlive: true, expectsContinue: false)
        return Request(head: head, body: .empty, requestID: "test", remoteAddress: "127.0.0.1")
    }

    @Test(arguments: [
        ([("Host", "127.0.0.1:8080")], true),
        ([("Host", "localhost:8080"), ("Origin", "http://localhost:8080"), ("Sec-Fetch-Site", "same-origin")], true),
        ([("Host", "[::1]:8080")], true),
        ([("Host", "127.0.0.1:8080"), ("Sec-Fetch-Site", "none")], true),
        ([("Host", "evil.example:8080")], false),
        ([("Host", "127.0.0.1.evil.example")], false),
        ([], false),
        ([("Host", "127.0.0.1:8080"), ("Origin", "https://evil.example")], false),
        ([("Host", "127.0.0.1:8080"), ("Origin", "http://localhost:8080")], false),
        ([("Host", "127.0.0.1:8080"), ("Sec-Fetch-Site", "cross-site")], false),
        ([("Host", "127.0.0.1:8080"), ("Sec-Fetch-Site", "same-site")], false),
    ])
    func onlyThisMachinesOwnPagesAndClientsActAsTheAccount(headers: [(String, String)], allowed: Bool) {
        let studio = AnonymousStudio(accountID: "acct-1", loopbackOnly: true)
        #expect((studio.accountID(for: request(headers)) != nil) == allowed, "\(headers)")
    }

    @Test func servingAnyAddressDropsOnlyTheHostCheck() {
        let studio = AnonymousStudio(accountID: "acct-1", loopbackOnly: false)
        #expect(studio.accountID(for: request([("Host", "studio.lan:8080")])) == "acct-1")
        #expect(studio.accountID(for: request([("Host", "studio.lan:8080"), ("Origin", "https://evil.example")])) == nil)
    }
}
