@testable import Quarry
import Storage
import Testing

@Suite struct ExportWriterTests {
    @Test(arguments: ExportFormat.allCases)
    func theSameDocumentGivesTheSameBytes(format: ExportFormat) {
        #expect(ExportFixtures.files(format) == ExportFixtures.files(format))
        #expect(ExportFixtures.files(format).allSatisfy { ArchivePath.isSafe($0.path) })
    }

    @Test func eachFormatWritesItsOwnFiles() {
        #expect(ExportFixtures.files(.coco).map(\.path) == ["annotations.json"])
        #expect(ExportFixtures.files(.yolo).first?.path == "data.yaml")
        #expect(ExportFixtures.files(.voc).first?.path == "labelmap.txt")
        #expect(ExportFixtures.files(.csv).map(\.path) == ["annotations.csv"])
    }

    @Test func malformedLabelsAndUnknownClassesAreLeftOut() {
        let classIndex = ["a": 0, "b": 1]
        #expect(ExportedLabel(.tag("b"), classIndex: classIndex)?.classIndex == 1)
        #expect(ExportedLabel(.tag("c"), classIndex: classIndex) == nil)
        let malformed = [
            Label(label: "a", type: .boundingBox),
            Label(label: "a", type: .boundingBox, bbox: [1, 2, 3]),
            Label(label: "a", type: .boundingBox, bbox: [1, 2, -3, 4]),
            Label(label: "a", type: .boundingBox, bbox: [.nan, 2, 3, 4]),
            Label(label: "a", type: .boundingBox, bbox: [2e9, 2, 3, 4]),
            Label(label: "a", type: .polygon, points: [[0, 0], [1, 1]]),
            Label(label: "a", type: .polygon, points: [[0, 0], [1, 1], [2]]),
            Label(label: "a", type: .point, point: [.infinity, 0]),
            Label(label: "a", type: .point, bbox: [1, 2, 3, 4]),
        ]
        #expect(malformed.allSatisfy { ExportedLabel($0, classIndex: classIndex) == nil })
        #expect(ExportedLabel(.point("a", x: -1, y: 0.5), classIndex: classIndex)?.geometry == .point(.init(x: -1, y: 0.5)))
    }

    @Test func classNamesRepeatedUseTheFirstClass() {
        let document = ExportDocument(title: "", classes: [LabelClass(name: "x", type: .boundingBox),
                                                           LabelClass(name: "x", type: .polygon)],
                                      images: [.init(id: 1, archivePath: "1.png", width: 1, height: 1, datasetID: 1,
                                                     labels: [.box("x", x: 0, y: 0, width: 1, height: 1)])],
                                      createdAt: "")
        #expect(document.exportedImages()[0].labels.map(\.classIndex) == [0])
    }

    @Test func numbersArePlainDecimalsWithoutNoise() {
        #expect(NumberText.plain(12) == "12")
        #expect(NumberText.plain(12.5) == "12.5")
        #expect(NumberText.plain(12.500000001) == "12.5")
        #expect(NumberText.plain(0.1 + 0.2) == "0.3")
        #expect(NumberText.plain(-0.0) == "0")
        #expect(NumberText.plain(-0.0000001) == "0")
        #expect(NumberText.plain(-3.25) == "-3.25")
        #expect(NumberText.plain(1e9) == "1000000000")
        #expect(NumberText.plain(1e-7) == "0")
        #expect(NumberText.plain(0.000123) == "0.000123")
        #expect(NumberText.fixed(0.5, places: 6) == "0.500000")
        #expect(NumberText.fixed(-1e-9, places: 6) == "0.000000")
    }

    @Test func textIsEscapedForEachFormat() {
        #expect(JSONText.string("a\"b\\c\n\u{1}é") == #""a\"b\\c\n\u0001é""#)
        #expect(XMLText.escape("<a & 'b' \"c\">\r\u{0}") == "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;&#13;\u{FFFD}")
        #expect(CSVText.field("plain text") == "plain text")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVText.field("a\nb") == "\"a\nb\"")
        #expect(CSVText.record(["a", "b,c"]) == "a,\"b,c\"\r\n")
        #expect(YAMLText.quoted("a\"b\\c\n") == #""a\"b\\c\u000A""#)
    }

    @Test func annotationPathsFollowTheImagePath() {
        #expect(ArchivePath.annotationBase(for: "images/17_a.png", in: "labels") == "labels/17_a")
        #expect(ArchivePath.annotationBase(for: "images/d/x.tar.gz", in: "labels") == "labels/d/x.tar")
        #expect(ArchivePath.annotationBase(for: "other/x.png", in: "labels") == "labels/other/x")
        #expect(ArchivePath.annotationBase(for: "images/.hidden", in: "labels") == "labels/.hidden")
        #expect(ArchivePath.annotationBase(for: "images/d.v/x", in: "labels") == "labels/d.v/x")
        #expect(ArchivePath.directory(of: "images/sub/x.png") == "images/sub")
        #expect(ArchivePath.directory(of: "x.png") == "")
        #expect(ArchivePath.fileName(of: "images/sub/x.png") == "x.png")
        #expect(ArchivePath.isSafe("images/x.png"))
        #expect(!ArchivePath.isSafe("/etc/passwd"))
        #expect(!ArchivePath.isSafe("images/../../x"))
        #expect(!ArchivePath.isSafe(""))
    }

    @Test func imagesWhoseStemsCollideGetNumberedAnnotationFiles() {
        let images = ["images/x.png", "images/x.jpg", "images/x.gif"].enumerated().map { index, path in
            ExportDocument.Image(id: index, archivePath: path, width: 1, height: 1, datasetID: 1, labels: [])
        }
        let document = ExportDocument(title: "", classes: [], images: images, createdAt: "")
        #expect(ExportWriter.files(for: document, format: .yolo).map(\.path)
            == ["data.yaml", "labels/x.txt", "labels/x-2.txt", "labels/x-3.txt"])
        #expect(ExportWriter.files(for: document, format: .voc).map(\.path)
            == ["labelmap.txt", "Annotations/x.xml", "Annotations/x-2.xml", "Annotations/x-3.xml"])
    }

    @Test func anUnsafeArchivePathIsAProgrammingError() async {
        await #expect(processExitsWith: .failure) {
            let image = ExportDocument.Image(id: 1, archivePath: "../x.png", width: 1, height: 1, datasetID: 1, labels: [])
            _ = ExportWriter.files(for: ExportDocument(title: "", classes: [], images: [image], createdAt: ""), format: .csv)
        }
    }
}
