@testable import Quarry
import Testing

/// `ImportLayout` and its CSV reading: a layout a client names is used or the import refused, naming
/// what is missing; with none named, the first that fits; a CSV file's quoting as RFC 4180 has it.
struct ImportLayoutTests {
    private static func files(_ contents: [String: String]) -> [ImportSource.File] {
        contents.keys.sorted().map { name in ImportSource.File(name: name) { Array(contents[name]!.utf8) } }
    }

    private static func classes(_ files: [ImportSource.File], format: ImportFormat? = nil) throws -> [String: String?] {
        let (candidates, _) = try ImportLayout.candidates(files, format: format)
        return Dictionary(uniqueKeysWithValues: candidates.map { ($0.name, $0.className) })
    }

    @Test func aCSVAtTheTopNamesEachImagesClass() throws {
        let files = Self.files([
            "set/labels.csv": "File_Name,Label\r\na.png,cat\n\"sub/b.png\",\"dog, big\"\nc.png,\n",
            "set/a.png": "", "set/sub/b.png": "", "set/c.png": "", "set/d.png": "",
        ])
        let found = try Self.classes(files)
        let expected: [String: String?] = ["set/a.png": "cat", "set/sub/b.png": "dog, big", "set/c.png": nil, "set/d.png": nil]
        #expect(found == expected)
        #expect(try Self.classes(files, format: .csv) == found)
        #expect(try Self.classes(files, format: .folder)["set/sub/b.png"] == "sub", "a named layout wins over detection")
    }

    @Test func aNamedLayoutTheFilesDoNotFitIsRefusedSayingWhatIsMissing() throws {
        let folder = Self.files(["cat/1.png": "", "dog/2.png": "", "notes.csv": "name,colour\n1,red\n"])
        #expect(throws: ImportError.formatMismatch(.coco, "no annotations .json file at the top")) { try Self.classes(folder, format: .coco) }
        #expect(throws: ImportError.formatMismatch(.yolo, "no images/ and labels/ folders")) { try Self.classes(folder, format: .yolo) }
        #expect(throws: (any Error).self) { try Self.classes(folder, format: .csv) }
        let byFolder: [String: String?] = ["cat/1.png": "cat", "dog/2.png": "dog", "notes.csv": nil]
        #expect(try Self.classes(folder) == byFolder, "a CSV without the columns is not a CSV layout; the folders are")
    }

    @Test func csvQuotingFollowsRFC4180() {
        #expect(CSVTable.rows("a,b\r\n\"x, \"\"y\"\"\",\" z \"\n\n last , \n") == [["a", "b"], ["x, \"y\"", " z "], ["last", ""]])
        #expect(CSVTable.rows("\"line\nbreak\",2") == [["line\nbreak", "2"]])
        #expect(CSVTable.rows("") == [])
    }
}
