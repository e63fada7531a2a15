@testable import Quarry
import Testing

/// `WorkerService` with its sign-in links and workbench sessions: workers known by email within one
/// account, a token that a new one replaces, and sessions that a new link ends.
@Suite struct WorkerServiceTests {
    @Test func aFirstTokenMakesTheWorkerAndSignsInAsThem() throws {
        try withServices("quarry-workers") { services in
            let account = try services.newAccount("owner")
            let (worker, token) = try services.workers.issueToken(accountID: account, email: "  Ann@Example.COM ")
            #expect(worker.email == "ann@example.com" && worker.accountID == account && worker.id.hasPrefix("wrk-"))
            #expect(token.hasPrefix(SecretToken.workerPrefix) && token.count == 3 + 64)
            #expect(try services.workers.authenticate(token: token) == worker)
            #expect(try services.workers.list(accountID: account) == [worker])
        }
    }

    @Test func aNewTokenReplacesTheLastAndEndsItsSessions() throws {
        try withServices("quarry-workers") { services in
            let workers = services.workers
            let account = try services.newAccount("owner")
            let (worker, first) = try workers.issueToken(accountID: account, email: "ann@example.com")
            let session = try #require(try workers.startSession(token: first)).secret

            let (again, second) = try workers.issueToken(accountID: account, email: "ANN@example.com")
            #expect(again == worker && second != first)
            #expect(try workers.authenticate(token: first) == nil)
            #expect(try workers.authenticate(token: second) == worker)
            #expect(try workers.worker(session: session) == nil)
            #expect(try workers.list(accountID: account) == [worker])
        }
    }

    @Test func malformedEmailsAreRefused() throws {
        try withServices("quarry-workers") { services in
            let account = try services.newAccount("owner")
            let malformed = ["", "ann", "ann@example", "@example.com", "ann@.example.com", "ann@example.com.", "ann@@example.com",
                             "a nn@example.com", "ann@exa\u{0}mple.com", String(repeating: "a", count: 243) + "@example.com"]
            for email in malformed {
                #expect(throws: WorkerError.invalidEmail(email)) { try services.workers.issueToken(accountID: account, email: email) }
            }
            #expect(throws: WorkerError.invalidEmail("ann")) { try services.workers.issueToken(email: "ann", account: nil) }
            #expect(try services.workers.list(accountID: account).isEmpty)
            // 254 characters is the longest address there is.
            let longest = String(repeating: "a", count: 242) + "@example.com"
            #expect(try services.workers.issueToken(accountID: account, email: longest).worker.email == longest)
        }
    }

    @Test func malformedAndUnknownTokensAreRefused() throws {
        try withServices("quarry-workers") { services in
            let account = try services.newAccount("owner")
            let (_, token) = try services.workers.issueToken(accountID: account, email: "ann@example.com")
            let (_, apiKey) = try services.accounts.create(name: "keyed")
            let sameLookup = String(token.prefix(3 + 16)) + String(repeating: "0", count: 48)
            for refused in ["", "wk_short", apiKey, SecretToken.generate(prefix: SecretToken.workerPrefix).text, sameLookup, token.uppercased()] {
                #expect(try services.workers.authenticate(token: refused) == nil)
                #expect(try services.workers.startSession(token: refused) == nil)
            }
        }
    }

    @Test func aSessionStartsFromAValidTokenAndEnds() throws {
        try withServices("quarry-workers") { services in
            let workers = services.workers
            let account = try services.newAccount("owner")
            let (worker, token) = try workers.issueToken(accountID: account, email: "ann@example.com")
            let (signedIn, secret) = try #require(try workers.startSession(token: token))
            #expect(signedIn == worker && secret.count == 64 && !secret.contains("wk_"))
            #expect(try workers.worker(session: secret) == worker)
            // A session does not use up the link: the worker may sign in from another browser.
            let other = try #require(try workers.startSession(token: token)).secret
            #expect(other != secret)

            try workers.endSession(secret)
            #expect(try workers.worker(session: secret) == nil)
            #expect(try workers.worker(session: other) == worker)
            #expect(try workers.worker(session: "short") == nil)
            #expect(try workers.worker(session: String(repeating: "0", count: 64)) == nil)
        }
    }

    @Test func anExpiredSessionSignsInNoOneAndGoesWhenTheNextStarts() throws {
        try withServices("quarry-workers") { services in
            let workers = services.workers
            let account = try services.newAccount("owner")
            let (worker, token) = try workers.issueToken(accountID: account, email: "ann@example.com")
            let expired = try #require(try workers.startSession(token: token)).secret
            // Twelve hours cannot pass in a test: the session's expiry is moved into the past instead.
            try services.database.write { db in try db.run("UPDATE worker_sessions SET expires_at = ?", ["2000-01-01T00:00:00.000Z"]) }
            #expect(try workers.worker(session: expired) == nil)

            let live = try #require(try workers.startSession(token: token)).secret
            #expect(try workers.worker(session: live) == worker)
            #expect(try services.rowCount("worker_sessions") == 1)
        }
    }

    @Test func aLinkIsReissuedByEmailWithTheAccountNamedWhereSeveralHaveTheWorker() throws {
        try withServices("quarry-workers") { services in
            let workers = services.workers
            let (acme, _) = try services.accounts.create(name: "acme")
            let (globex, _) = try services.accounts.create(name: "globex")
            let atAcme = try workers.issueToken(accountID: acme.id, email: "ann@example.com").worker
            let atGlobex = try workers.issueToken(accountID: globex.id, email: "ann@example.com").worker
            let bob = try workers.issueToken(accountID: acme.id, email: "bob@example.com").worker
            #expect(atAcme.id != atGlobex.id)

            #expect(throws: WorkerError.ambiguous("ann@example.com", accounts: 2)) { try workers.issueToken(email: "Ann@example.com", account: nil) }
            #expect(try workers.issueToken(email: "ann@example.com", account: "globex").worker == atGlobex)
            #expect(try workers.issueToken(email: "ann@example.com", account: acme.id).worker == atAcme)
            let (reissued, token) = try workers.issueToken(email: "bob@example.com", account: nil)
            #expect(reissued == bob)
            #expect(try workers.authenticate(token: token) == bob)

            #expect(throws: WorkerError.notFound("carol@example.com")) { try workers.issueToken(email: "carol@example.com", account: nil) }
            #expect(throws: WorkerError.notFound("bob@example.com")) { try workers.issueToken(email: "bob@example.com", account: "globex") }
            #expect(throws: WorkerError.notFound("ann@example.com")) { try workers.issueToken(email: "ann@example.com", account: "initech") }
        }
    }

    @Test func anotherAccountsWorkersAreAbsent() throws {
        try withServices("quarry-workers") { services in
            let workers = services.workers
            let account = try services.newAccount("owner")
            let stranger = try services.newAccount("stranger")
            let ann = try workers.issueToken(accountID: account, email: "ann@example.com").worker
            let bob = try workers.issueToken(accountID: account, email: "bob@example.com").worker
            #expect(try workers.list(accountID: account) == [ann, bob])
            #expect(try workers.list(accountID: stranger).isEmpty)

            // The same email in another account is another worker, whose token does not sign in as the first.
            let (theirs, token) = try workers.issueToken(accountID: stranger, email: "ann@example.com")
            #expect(theirs.id != ann.id && theirs.accountID == stranger)
            #expect(try workers.authenticate(token: token) == theirs)
            #expect(try workers.list(accountID: stranger) == [theirs])
            #expect(try workers.list(accountID: account) == [ann, bob])
        }
    }
}
