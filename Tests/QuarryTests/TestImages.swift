import Crypto
import Foundation
import Imaging
@testable import Quarry
import QuarryTesting
import Storage

/// Small images for the services' tests. Each seed gives other pixels, so images of different seeds
/// never share bytes: the blob store and imports tell images apart by their bytes alone.
enum TestImages {
    static func bitmap(_ seed: Int, width: Int, height: Int) -> Bitmap {
        let pixels = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed &* 53 &+ $0 >> 5) }
        return Bitmap(width: width, height: height, channels: 3, pixels: pixels)
    }

    static func png(_ seed: Int, width: Int = 8, height: Int = 6) throws -> [UInt8] {
        try ImageEncoder.png(bitmap(seed, width: width, height: height))
    }

    static func jpeg(_ seed: Int, width: Int = 8, height: Int = 6) throws -> [UInt8] {
        try ImageEncoder.jpeg(bitmap(seed, width: width, height: height))
    }

    /// `count` PNG uploads named `<seed>.png`, from `seed` on.
    static func uploads(_ count: Int, from seed: Int = 0) throws -> [IncomingFile] {
        try (seed..<(seed + count)).map { IncomingFile(fileName: "\($0).png", source: .bytes(try png($0))) }
    }

    /// The id the blob store gives `bytes`.
    static func blob(_ bytes: [UInt8]) -> BlobID {
        BlobID(hex: Hex.encode(SHA256.hash(bytes)))!
    }

    /// Writes a ZIP of `entries`, stored uncompressed, at `path`.
    static func zip(_ entries: [(name: String, bytes: [UInt8])], at path: String) throws {
        let writer = try ZipWriter(path: path)
        for entry in entries { try writer.add(name: entry.name, bytes: entry.bytes, compress: false) }
        try writer.finish()
    }

    /// The files of the ZIP `bytes`, by name.
    static func unzip(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
        let directory = try TemporaryDirectory("quarry-unzip")
        defer { directory.remove() }
        let path = "\(directory.path)/archive.zip"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try ZipReader(path: path)
        var files: [String: [UInt8]] = [:]
        for (index, entry) in reader.entries.enumerated() { files[entry.name] = try reader.data(of: index) }
        return files
    }
}

extension Services {
    /// A new account's id; the account has projects of the names given.
    func newAccount(_ name: String, projects names: String...) throws -> String {
        let id = try accounts.create(name: name).account.id
        for project in names { _ = try projects.create(accountID: id, name: project) }
        return id
    }

    /// How many rows `table` holds.
    func rowCount(_ table: String) throws -> Int {
        try database.read { db in try db.queryOne("SELECT count(*) AS n FROM \(table)")?.int("n") ?? 0 }
    }
}
