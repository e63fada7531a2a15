import Dispatch
@testable import Storage
import Testing

/// LISTEN/NOTIFY as `Database.notify` and `listen` give it: a hint from one database reaches another's
/// listener, and a listener whose server restarted listens again, saying so (what was sent meanwhile is
/// lost). Its own server, as the second test restarts it.
@Suite(.postgres, .serialized)
struct PostgresListenerTests {
    @Test func aNotifyFromAnotherDatabaseWakesTheListener() throws {
        try PostgresServer.shared().withDatabase { url throws in
            let (listening, notifying) = (try PostgresDatabase(url: url, migrations: [], connections: 1),
                                          try PostgresDatabase(url: url, migrations: [], connections: 1))
            defer { listening.close(); notifying.close() }
            let heard = DispatchSemaphore(value: 0)
            let listener = try #require(try listening.listen("quarry_test") { heard.signal() })
            defer { listener.stop() }
            notifying.notify("another_channel")
            notifying.notify("quarry_test")
            #expect(heard.wait(timeout: .now() + 30) == .success)
            // One hint, one wake-up: the other channel's was not heard.
            notifying.notify("quarry_test")
            #expect(heard.wait(timeout: .now() + 30) == .success)
        }
    }

    @Test func aListenerWhoseServerRestartedListensAgain() throws {
        let server = try PostgresServer.shared()
        try server.withDatabase { url throws in
            let database = try PostgresDatabase(url: url, migrations: [], connections: 1)
            defer { database.close() }
            let heard = DispatchSemaphore(value: 0)
            let listener = try #require(try database.listen("quarry_test") { heard.signal() })
            defer { listener.stop() }
            server.stop()
            try server.start()
            #expect(heard.wait(timeout: .now() + 30) == .success, "told when it listens again")
            database.notify("quarry_test")
            #expect(heard.wait(timeout: .now() + 30) == .success)
        }
    }

    @Test func sqliteHasNoHints() throws {
        try withDatabase { database throws in
            database.notify("quarry_test")
            #expect(try database.listen("quarry_test") {} == nil)
        }
    }
}
