@testable import Quarry
import Testing

@Suite struct YOLOWriterTests {
    @Test func everyImageGetsALabelFileBesideTheDataYAMLAndTheTagsCSV() {
        #expect(ExportFixtures.files(.yolo).map(\.path) == [
            "data.yaml", "labels/17_street.txt", "labels/sub/18_field.txt", "labels/19_empty.txt", "classification.csv",
        ])
    }

    @Test func dataYAMLNamesEveryClassInOrder() throws {
        #expect(try ExportFixtures.text(.yolo, "data.yaml") == """
            train: images
            val: images
            nc: 5
            names:
              - "cat"
              - "car, \\"fast\\" <&> 'x'"
              - "lake"
              - "eye"
              - "dog"

            """)
    }

    @Test func boxesAreClippedAndPolygonsClampedThenNormalizedAndPointsSkipped() throws {
        // Box x -10…50 → 0…50 of 200, y 50…150 → 50…100 of 100; the polygon is inside the image.
        #expect(try ExportFixtures.text(.yolo, "labels/sub/18_field.txt") == """
            1 0.125000 0.750000 0.250000 0.500000
            2 0.052500 0.100000 0.150000 0.100000 0.150000 0.400000 0.052500 0.400000

            """)
        #expect(try ExportFixtures.text(.yolo, "labels/19_empty.txt") == "")
        let street = try ExportFixtures.text(.yolo, "labels/17_street.txt").split(separator: "\n")
        #expect(street.count == 2)
        #expect(street.last == "2 0.000000 0.000000 0.062500 0.000000 0.062500 0.062500")

        let outside = ExportDocument(title: "", classes: ExportFixtures.classes, images: [
            .init(id: 1, archivePath: "images/1.png", width: 10, height: 10, datasetID: 1, labels: [
                .polygon("lake", [[-5, 5], [15, 5], [5, 20]]),
                .box(ExportFixtures.car, x: 10, y: 0, width: 5, height: 5),
            ]),
        ], createdAt: "")
        let file = ExportWriter.files(for: outside, format: .yolo)[1]
        #expect(String(decoding: file.bytes, as: UTF8.self) == "2 0.000000 0.500000 1.000000 0.500000 0.500000 1.000000\n")
    }

    @Test func tagsGoToClassificationCSV() throws {
        #expect(try ExportFixtures.text(.yolo, "classification.csv")
            == "image,tag\r\nimages/17_street.png,cat\r\nimages/sub/18_field.jpg,dog\r\n")
        let noTags = ExportDocument(title: "", classes: ExportFixtures.classes, images: [
            .init(id: 1, archivePath: "images/1.png", width: 1, height: 1, datasetID: 1, labels: []),
        ], createdAt: "")
        #expect(ExportWriter.files(for: noTags, format: .yolo).map(\.path) == ["data.yaml", "labels/1.txt"])
    }

    @Test func anImageWithoutASizeGetsAnEmptyLabelFile() {
        let document = ExportDocument(title: "", classes: ExportFixtures.classes, images: [
            .init(id: 1, archivePath: "images/1.png", width: 0, height: 0, datasetID: 1,
                  labels: [.box(ExportFixtures.car, x: 0, y: 0, width: 1, height: 1)]),
        ], createdAt: "")
        #expect(ExportWriter.files(for: document, format: .yolo)[1] == ExportFile(path: "labels/1.txt", bytes: []))
    }

    @Test func labelLinesParseAsUltralyticsReadsThem() throws {
        try expectPythonAccepts(ExportFixtures.files(.yolo), script: #"""
            import csv, os, sys
            root = sys.argv[1]
            try:
                import yaml  # PyYAML, what Ultralytics reads data.yaml with
                data = yaml.safe_load(open(os.path.join(root, "data.yaml"), encoding="utf-8"))
                assert data["nc"] == 5 and data["names"] == ["cat", "car, \"fast\" <&> 'x'", "lake", "eye", "dog"], data
                assert data["train"] == "images" and data["val"] == "images"
            except ImportError:
                pass

            def rows(name):
                with open(os.path.join(root, "labels", name), encoding="utf-8") as f:
                    lines = [line.split() for line in f.read().splitlines()]
                for parts in lines:
                    assert int(parts[0]) in range(5)
                    values = [float(v) for v in parts[1:]]
                    assert all(0 <= v <= 1 for v in values), parts
                    assert all(len(v.split(".")[1]) == 6 for v in parts[1:]), parts
                    assert len(values) == 4 or (len(values) >= 6 and len(values) % 2 == 0), parts
                return [(int(p[0]), [float(v) for v in p[1:]]) for p in lines]

            def close(a, b):
                return len(a) == len(b) and all(abs(x - y) <= 5e-7 for x, y in zip(a, b))

            street = rows("17_street.txt")
            assert [c for c, _ in street] == [1, 2]
            assert close(street[0][1], [60.25 / 640, 45 / 480, 100.5 / 640, 50 / 480]), street
            assert close(street[1][1], [0, 0, 40 / 640, 0, 40 / 640, 30 / 480]), street
            field = rows(os.path.join("sub", "18_field.txt"))
            assert close(field[0][1], [25 / 200, 75 / 100, 50 / 200, 50 / 100]), field
            assert close(field[1][1], [10.5 / 200, 0.1, 0.15, 0.1, 0.15, 0.4, 10.5 / 200, 0.4]), field
            assert rows("19_empty.txt") == []
            with open(os.path.join(root, "classification.csv"), newline="", encoding="utf-8") as f:
                assert list(csv.reader(f)) == [["image", "tag"], ["images/17_street.png", "cat"],
                                               ["images/sub/18_field.jpg", "dog"]]
            """#)
    }
}
