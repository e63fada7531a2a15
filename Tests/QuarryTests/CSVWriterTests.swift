@testable import Quarry
import Testing

@Suite struct CSVWriterTests {
    @Test func everyLabelIsARowAndAnUnlabelledImageOneEmptyRow() throws {
        #expect(ExportFixtures.files(.csv).map(\.path) == ["annotations.csv"])
        #expect(try ExportFixtures.text(.csv, "annotations.csv") == [
            "image,width,height,label,type,x,y,w,h,points",
            "images/17_street.png,640,480,cat,tag,,,,,",
            #"images/17_street.png,640,480,"car, ""fast"" <&> 'x'",bounding_box,10,20,100.5,50,"#,
            "images/17_street.png,640,480,lake,polygon,0,0,40,30,0 0;40 0;40 30",
            "images/17_street.png,640,480,eye,point,320.25,240,,,",
            #"images/sub/18_field.jpg,200,100,"car, ""fast"" <&> 'x'",bounding_box,-10,50,60,100,"#,
            "images/sub/18_field.jpg,200,100,lake,polygon,10.5,10,19.5,30,10.5 10;30 10;30 40;10.5 40",
            "images/sub/18_field.jpg,200,100,dog,tag,,,,,",
            "images/19_empty.png,50,50,,,,,,,",
        ].map { $0 + "\r\n" }.joined())
    }

    @Test func pythonsCSVReaderReadsBackEveryField() throws {
        let multiline = "two\r\nlines"
        let document = ExportDocument(title: "", classes: ExportFixtures.classes + [LabelClass(name: multiline, type: .tag)],
                                      images: ExportFixtures.document.images + [
                                          .init(id: 20, archivePath: "images/20_a,b.png", width: 1, height: 1, datasetID: 1,
                                                labels: [.tag(multiline)]),
                                      ], createdAt: "")
        try expectPythonAccepts(ExportWriter.files(for: document, format: .csv), script: #"""
            import csv, os, sys
            with open(os.path.join(sys.argv[1], "annotations.csv"), newline="", encoding="utf-8") as f:
                rows = list(csv.reader(f))
            car = "car, \"fast\" <&> 'x'"
            assert rows == [
                ["image", "width", "height", "label", "type", "x", "y", "w", "h", "points"],
                ["images/17_street.png", "640", "480", "cat", "tag", "", "", "", "", ""],
                ["images/17_street.png", "640", "480", car, "bounding_box", "10", "20", "100.5", "50", ""],
                ["images/17_street.png", "640", "480", "lake", "polygon", "0", "0", "40", "30", "0 0;40 0;40 30"],
                ["images/17_street.png", "640", "480", "eye", "point", "320.25", "240", "", "", ""],
                ["images/sub/18_field.jpg", "200", "100", car, "bounding_box", "-10", "50", "60", "100", ""],
                ["images/sub/18_field.jpg", "200", "100", "lake", "polygon", "10.5", "10", "19.5", "30", "10.5 10;30 10;30 40;10.5 40"],
                ["images/sub/18_field.jpg", "200", "100", "dog", "tag", "", "", "", "", ""],
                ["images/19_empty.png", "50", "50", "", "", "", "", "", "", ""],
                ["images/20_a,b.png", "1", "1", "two\r\nlines", "tag", "", "", "", "", ""],
            ], rows
            """#)
    }
}
