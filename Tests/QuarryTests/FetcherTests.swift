import Foundation
@testable import Quarry
import QuarryTesting
import Testing

struct FetcherTests {
    /// The FetchError `body` throws, nil if it succeeds.
    private static func fetchError(_ body: () throws -> Void) -> FetchError? {
        do {
            try body()
            return nil
        } catch let error as FetchError {
            return error
        } catch {
            Issue.record("not a FetchError: \(error)")
            return nil
        }
    }

    private static func files(in directory: TemporaryDirectory) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? ["unreadable"]
    }

    private static func encoded(_ url: String) -> String {
        url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url
    }

    @Test func downloadStreamsTheBodyIntoAPrivateFile() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let file = try Fetcher(policy: .allowAll).download(server.url("/file"), into: directory.path)
        #expect(file.path.hasPrefix(directory.path + "/"))
        #expect(file.size == LocalHTTPServer.fileBytes.count)
        #expect(FileManager.default.contents(atPath: file.path) == Data(LocalHTTPServer.fileBytes))
        #expect(file.contentType == "image/png")
        #expect(file.finalURL == server.url("/file"))
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    @Test func redirectsAreFollowedAndTheFinalURLIsRecorded() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let start = server.url("/redirect?to=" + Self.encoded(server.url("/file")))
        let file = try Fetcher(policy: .allowAll).download(start, into: directory.path)
        #expect(file.finalURL == server.url("/file"))
        #expect(file.size == LocalHTTPServer.fileBytes.count)
    }

    @Test func aMissingFileIsAnHTTPStatusErrorAndLeavesNoFile() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let url = server.url("/missing")
        let error = Self.fetchError { _ = try Fetcher(policy: .allowAll).download(url, into: directory.path) }
        #expect(error == .httpStatus(url: url, code: 404))
        #expect(error?.description == "\(url) answered with HTTP status 404")
        #expect(Self.files(in: directory).isEmpty)
    }

    /// `/large` announces its length, `/unannounced` does not, so only the byte counter can stop it.
    @Test(arguments: ["/large", "/unannounced"])
    func aBodyPastTheLimitIsRefusedAndRemoved(_ path: String) throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        var limits = FetchLimits()
        limits.maxBytes = 50_000
        let url = server.url(path)
        let error = Self.fetchError { _ = try Fetcher(policy: .allowAll, limits: limits).download(url, into: directory.path) }
        #expect(error == .tooLarge(url: url, limit: 50_000))
        #expect(Self.files(in: directory).isEmpty)
    }

    @Test func aSlowServerTimesOut() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        var limits = FetchLimits()
        limits.totalTimeout = .milliseconds(300)
        let url = server.url("/slow")
        let started = ContinuousClock.now
        let error = Self.fetchError { _ = try Fetcher(policy: .allowAll, limits: limits).download(url, into: directory.path) }
        #expect(error == .timedOut(url: url))
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(Self.files(in: directory).isEmpty)
    }

    @Test func postReturnsAnyStatusAndTheStartOfTheBody() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let fetcher = Fetcher(policy: .allowAll)
        let echoed = try fetcher.post(server.url("/echo"), headers: [("X-Quarry", "sig=1"), ("Content-Type", "text/plain")],
                                      body: Array("hello".utf8))
        #expect(echoed.status == 201)
        #expect(echoed.body == "got hello sig=1")
        let missing = try fetcher.post(server.url("/nowhere"), headers: [], body: [])
        #expect(missing.status == 404)
        let big = try fetcher.post(server.url("/big"), headers: [], body: [])
        #expect(big.status == 200)
        #expect(big.body == String(repeating: "z", count: 4096))
        // Not followed: the redirect itself is the answer.
        let moved = try fetcher.post(server.url("/redirect"), headers: [], body: [])
        #expect(moved.status == 302)
    }

    @Test func postRefusesHeadersThatWouldAddLines() {
        let error = Self.fetchError {
            _ = try Fetcher(policy: .allowAll).post("http://127.0.0.1:9/", headers: [("X-A", "1\r\nHost: evil")], body: [])
        }
        guard case .failed = error else {
            Issue.record("expected a failure, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: ["ftp://127.0.0.1/file", "file:///etc/passwd", "gopher://127.0.0.1:70/", "dict://127.0.0.1:11211/",
                      "not a url", "//example.com/x", "", "http://user:secret@example.com/", "https://user@example.com/"])
    func onlyPlainHTTPAndHTTPSURLsAreFetched(_ url: String) throws {
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let fetcher = Fetcher(policy: .allowAll)
        #expect(Self.fetchError { _ = try fetcher.download(url, into: directory.path) } == .invalidURL(url))
        #expect(Self.fetchError { _ = try fetcher.post(url, headers: [], body: []) } == .invalidURL(url))
        #expect(Self.files(in: directory).isEmpty)
    }

    @Test func aRedirectToAnotherSchemeIsNotFollowed() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let url = server.url("/redirect?to=" + Self.encoded("file:///etc/passwd"))
        let error = Self.fetchError { _ = try Fetcher(policy: .allowAll).download(url, into: directory.path) }
        #expect(error == .failed(url: url, reason: "it redirects to a URL that is not http or https"))
        #expect(Self.files(in: directory).isEmpty)
    }

    // MARK: - The address policy, on real sockets

    /// Every spelling of a loopback, private or metadata address; PORT is the test server's.
    @Test(arguments: ["http://127.0.0.1:PORT/file", "http://[::1]:PORT/file", "http://169.254.169.254/latest/meta-data/",
                      "http://10.0.0.1/", "http://0x7f000001:PORT/file", "http://2130706433:PORT/file",
                      "http://017700000001:PORT/file", "http://127.1:PORT/file", "http://localhost:PORT/file",
                      "http://[::ffff:127.0.0.1]:PORT/file", "http://0.0.0.0:PORT/file", "https://127.0.0.1:PORT/file"])
    func privateDestinationsAreRefusedBeforeAnyRequest(_ template: String) throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let url = template.replacingOccurrences(of: "PORT", with: String(server.port))
        let fetcher = Fetcher(policy: .publicOnly)
        for error in [Self.fetchError { _ = try fetcher.download(url, into: directory.path) },
                      Self.fetchError { _ = try fetcher.post(url, headers: [], body: []) }] {
            guard case .addressRefused(let refusedURL, let address) = error else {
                Issue.record("\(url): expected addressRefused, got \(String(describing: error))")
                continue
            }
            #expect(refusedURL == url)
            #expect(IPAddress(address).map { !$0.isPublic } == true, "\(address)")
        }
        #expect(try server.requestCount() == 0)
        #expect(Self.files(in: directory).isEmpty)
    }

    /// Linux routes all of 127/8 to lo, so 127.0.0.2 stands in for an allowed host and
    /// 127.0.0.1 for the internal one a redirect points at.
    @Test func aRedirectToARefusedAddressIsNeverFollowed() throws {
        let allowed = try LocalHTTPServer(host: "127.0.0.2")
        defer { allowed.stop() }
        let inside = try LocalHTTPServer(host: "127.0.0.1")
        defer { inside.stop() }
        let directory = try TemporaryDirectory("quarry-fetch")
        defer { directory.remove() }
        let fetcher = Fetcher(policy: try AddressPolicy(setting: "127.0.0.2/32"))

        let direct = try fetcher.download(allowed.url("/file"), into: directory.path)
        #expect(direct.size == LocalHTTPServer.fileBytes.count)
        let internalURL = inside.url("/file")
        let redirecting = allowed.url("/redirect?to=" + Self.encoded(internalURL))
        let error = Self.fetchError { _ = try fetcher.download(redirecting, into: directory.path) }
        #expect(error == .addressRefused(url: redirecting, address: "127.0.0.1"))
        #expect(error?.description == "\(redirecting) leads to 127.0.0.1, which is not a public address, so the server will not fetch it")
        #expect(Self.fetchError { _ = try fetcher.download(internalURL, into: directory.path) }
            == .addressRefused(url: internalURL, address: "127.0.0.1"))
        #expect(try inside.requestCount() == 0)
        #expect(try allowed.requestCount() == 2)
        #expect(Self.files(in: directory) == [URL(fileURLWithPath: direct.path).lastPathComponent])
    }
}
