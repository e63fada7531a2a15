import Foundation
import QuarryTesting
import Testing

@Suite struct AdminAndAuthTests {
    @Test func adminCreatesAccountsAndTheirKeysAuthenticate() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(createAccountRequest("acme"))
            let created = try client.readResponse()
            #expect(created.status == 201)
            let key = try #require(try created.json()["api_key"] as? String)
            #expect(key.hasPrefix("qk_") && key.count == 67)

            for scheme in ["Bearer", "api_key"] {
                try client.send(get("/v1/health", headers: "Authorization: \(scheme) \(key)\r\n"))
                #expect(try client.readResponse().status == 200, "\(scheme)")
            }
            try client.send(get("/v1/health", headers: "Authorization: api_key qk_\(String(repeating: "0", count: 64))\r\n"))
            #expect(try client.readResponse().status == 401)
            try client.send(get("/v1/health", headers: "Authorization: api_key nonsense\r\n"))
            #expect(try client.readResponse().status == 401)

            try client.send(createAccountRequest("acme"))
            #expect(try client.readResponse().status == 409)
        }
    }

    @Test func rotatingAKeyRevokesTheOldOne() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(createAccountRequest("rotor"))
            let created = try client.readResponse().json()
            let oldKey = try #require(created["api_key"] as? String)
            let id = try #require((created["account"] as? [String: Any])?["id"] as? String)

            try client.send("POST /admin/accounts/\(id)/keys/rotate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(adminKey)\r\nContent-Length: 0\r\n\r\n")
            let rotated = try client.readResponse()
            #expect(rotated.status == 200)
            let newKey = try #require(try rotated.json()["api_key"] as? String)

            try client.send(get("/v1/health", headers: "Authorization: Bearer \(oldKey)\r\n"))
            #expect(try client.readResponse().status == 401)
            try client.send(get("/v1/health", headers: "Authorization: Bearer \(newKey)\r\n"))
            #expect(try client.readResponse().status == 200)

            try client.send(get("/admin/accounts", headers: "Authorization: Bearer \(adminKey)\r\n"))
            let list = try client.readResponse().json()
            let accounts = try #require(list["accounts"] as? [[String: Any]])
            #expect(accounts.count == 1)
            #expect(accounts[0]["active_keys"] as? Int == 1)
        }
    }

    @Test func theAdminAPIRefusesWrongKeysAndIsAbsentWithoutOne() throws {
        try withServer { server in
            let client = try server.client()
            try client.send(get("/admin/accounts", headers: "Authorization: Bearer wrong\r\n"))
            #expect(try client.readResponse().status == 401)
            try client.send(get("/admin/accounts"))
            #expect(try client.readResponse().status == 401)
        }
        try withServer(["QUARRY_ADMIN_KEY": ""]) { server in
            let client = try server.client()
            try client.send(get("/admin/accounts", headers: "Authorization: Bearer \(adminKey)\r\n"))
            #expect(try client.readResponse().status == 404)
        }
    }

    @Test func badJSONNamesTheProblem() throws {
        try withServer { server in
            let client = try server.client()
            let body = "{\"nom\":\"x\"}"
            try client.send("POST /admin/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(adminKey)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect((try response.json()["error"] as? String)?.contains("name") == true)
        }
    }

    @Test func theCommandLineCreatesAnAccountAndPrintsTheKeyLast() throws {
        let directory = try TemporaryDirectory("quarry-cli")
        defer { directory.remove() }
        let (status, output) = try runQuarry(["admin", "account", "create", "cli-team"], data: directory.path)
        #expect(status == 0)
        let lastLine = try #require(output.split(separator: "\n").last)
        #expect(lastLine.hasPrefix("qk_") && lastLine.count == 67)

        let (listStatus, listing) = try runQuarry(["admin", "account", "list"], data: directory.path)
        #expect(listStatus == 0 && listing.contains("cli-team"))

        let (rotateStatus, rotated) = try runQuarry(["admin", "key", "rotate", "cli-team"], data: directory.path)
        #expect(rotateStatus == 0)
        let newKey = try #require(rotated.split(separator: "\n").last)
        #expect(newKey.hasPrefix("qk_") && newKey != lastLine)

        let (duplicateStatus, _) = try runQuarry(["admin", "account", "create", "cli-team"], data: directory.path)
        #expect(duplicateStatus == 1)
    }

    private func runQuarry(_ arguments: [String], data: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        process.arguments = arguments
        process.environment = ["QUARRY_DATA_DIR": "\(data)/data"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try ServerProcess.launch(process)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
