@testable import API
import Foundation
import Testing

/// The browser apps' listings and their folders agree both ways: every listed name is a file, so no
/// page asks for something the server cannot give, and every file of the folder is listed, so none is
/// left unserved (a module the listing forgot fails to load in the browser, taking its importers along).
struct AppFilesTests {
    @Test(arguments: [("workbench", AppFiles.workbench), ("dashboard", AppFiles.dashboard), ("common", AppFiles.shared)])
    func listingMatchesTheFolder(app: String, files: [String: String]) throws {
        let folder = try #require(AppFiles.locate(app), "Resources/\(app) not found")
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
        #expect(Set(files.keys).subtracting(present).isEmpty, "listed but missing: \(Set(files.keys).subtracting(present).sorted())")
        #expect(present.subtracting(files.keys).isEmpty, "present but not listed: \(present.subtracting(files.keys).sorted())")
    }
}
