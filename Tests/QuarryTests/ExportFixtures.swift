import Foundation
@testable import Quarry
import QuarryTesting
import Testing

/// One document with every label type over three images of different sizes, shared by the
/// writer tests so that their expected values can be worked out once, by hand, here:
///
/// - 17 `images/17_street.png` 640×480: tag `cat`; box `car…` (10, 20, 100.5, 50), area 5025;
///   triangle `lake` (0,0) (40,0) (40,30), bounds (0, 0, 40, 30), area 600; point `eye` (320.25, 240).
/// - 18 `images/sub/18_field.jpg` 200×100: box `car…` (-10, 50, 60, 100), sticking out left and
///   below (clipped for YOLO to x 0…50, y 50…100); rectangle `lake` (10.5,10) (30,10) (30,40)
///   (10.5,40), bounds (10.5, 10, 19.5, 30), area 585; tag `dog`; and two labels no format
///   exports: a box with 3 numbers and a label of an unknown class.
/// - 19 `images/19_empty.png` 50×50: no labels.
enum ExportFixtures {
    /// A class name with every character that XML and CSV must escape.
    static let car = "car, \"fast\" <&> 'x'"

    static let classes = [
        LabelClass(name: "cat", type: .tag),
        LabelClass(name: car, type: .boundingBox),
        LabelClass(name: "lake", type: .polygon),
        LabelClass(name: "eye", type: .point),
        LabelClass(name: "dog", type: .tag),
    ]

    static let document = ExportDocument(
        title: "Street \"scenes\"",
        classes: classes,
        images: [
            .init(id: 17, archivePath: "images/17_street.png", width: 640, height: 480, datasetID: 1, labels: [
                .tag("cat"),
                .box(car, x: 10, y: 20, width: 100.5, height: 50),
                .polygon("lake", [[0, 0], [40, 0], [40, 30]]),
                .point("eye", x: 320.25, y: 240),
            ]),
            .init(id: 18, archivePath: "images/sub/18_field.jpg", width: 200, height: 100, datasetID: 1, labels: [
                .box(car, x: -10, y: 50, width: 60, height: 100),
                .polygon("lake", [[10.5, 10], [30, 10], [30, 40], [10.5, 40]]),
                .tag("dog"),
                Label(label: car, type: .boundingBox, bbox: [1, 2, 3]),
                .tag("ghost"),
            ]),
            .init(id: 19, archivePath: "images/19_empty.png", width: 50, height: 50, datasetID: 2, labels: []),
        ],
        createdAt: "2026-02-19T10:00:00.125Z")

    static func files(_ format: ExportFormat) -> [ExportFile] {
        ExportWriter.files(for: document, format: format)
    }

    static func text(_ format: ExportFormat, _ path: String) throws -> String {
        let file = try #require(files(format).first { $0.path == path }, "no \(path) in \(format)")
        return String(decoding: file.bytes, as: UTF8.self)
    }
}

/// Judges writer output with real parsers: writes `files` into a fresh directory and runs
/// `script` with `python3`, the directory as its only argument. The script asserts; a failure
/// shows its output.
func expectPythonAccepts(_ files: [ExportFile], script: String,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let directory = try TemporaryDirectory("quarry-export")
    defer { directory.remove() }
    for file in files {
        let url = URL(fileURLWithPath: directory.path).appendingPathComponent(file.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(file.bytes).write(to: url)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, directory.path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "python3 rejected the export:\n\(text)", sourceLocation: sourceLocation)
}
