@testable import Quarry
import Testing

@Suite struct VOCWriterTests {
    @Test func everyImageGetsAnAnnotationFileBesideTheLabelMap() throws {
        #expect(ExportFixtures.files(.voc).map(\.path) == [
            "labelmap.txt", "Annotations/17_street.xml", "Annotations/sub/18_field.xml", "Annotations/19_empty.xml",
        ])
        #expect(try ExportFixtures.text(.voc, "labelmap.txt") == "cat\ncar, \"fast\" <&> 'x'\nlake\neye\ndog\n")
    }

    @Test func anImageIsWrittenExactly() throws {
        #expect(try ExportFixtures.text(.voc, "Annotations/17_street.xml") == """
            <?xml version="1.0" encoding="utf-8"?>
            <annotation>
            \t<folder>images</folder>
            \t<filename>17_street.png</filename>
            \t<size>
            \t\t<width>640</width>
            \t\t<height>480</height>
            \t\t<depth>3</depth>
            \t</size>
            \t<tag>cat</tag>
            \t<object>
            \t\t<name>car, &quot;fast&quot; &lt;&amp;&gt; &apos;x&apos;</name>
            \t\t<pose>Unspecified</pose>
            \t\t<truncated>0</truncated>
            \t\t<difficult>0</difficult>
            \t\t<bndbox><xmin>10</xmin><ymin>20</ymin><xmax>111</xmax><ymax>70</ymax></bndbox>
            \t</object>
            \t<object>
            \t\t<name>lake</name>
            \t\t<pose>Unspecified</pose>
            \t\t<truncated>0</truncated>
            \t\t<difficult>0</difficult>
            \t\t<bndbox><xmin>0</xmin><ymin>0</ymin><xmax>40</xmax><ymax>30</ymax></bndbox>
            \t\t<polygon><pt><x>0</x><y>0</y></pt><pt><x>40</x><y>0</y></pt><pt><x>40</x><y>30</y></pt></polygon>
            \t</object>
            \t<object>
            \t\t<name>eye</name>
            \t\t<pose>Unspecified</pose>
            \t\t<truncated>0</truncated>
            \t\t<difficult>0</difficult>
            \t\t<bndbox><xmin>320</xmin><ymin>240</ymin><xmax>320</xmax><ymax>240</ymax></bndbox>
            \t\t<point><x>320.25</x><y>240</y></point>
            \t</object>
            </annotation>

            """)
    }

    @Test func xmlETreeParsesEveryFileWithTheRightBoxes() throws {
        try expectPythonAccepts(ExportFixtures.files(.voc), script: #"""
            import os, sys
            import xml.etree.ElementTree as ET
            root = sys.argv[1]

            def load(name):
                return ET.parse(os.path.join(root, "Annotations", name)).getroot()

            def objects(annotation):
                return [(o.findtext("name"), [int(o.find("bndbox").findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax")])
                        for o in annotation.findall("object")]

            car = "car, \"fast\" <&> 'x'"
            street = load("17_street.xml")
            assert street.findtext("filename") == "17_street.png" and street.findtext("folder") == "images"
            assert [street.find("size").findtext(k) for k in ("width", "height", "depth")] == ["640", "480", "3"]
            assert [t.text for t in street.findall("tag")] == ["cat"]
            assert objects(street) == [(car, [10, 20, 111, 70]), ("lake", [0, 0, 40, 30]), ("eye", [320, 240, 320, 240])], objects(street)
            assert all(o.findtext("pose") == "Unspecified" and o.findtext("truncated") == "0" and o.findtext("difficult") == "0"
                       for o in street.findall("object"))
            points = [(float(p.findtext("x")), float(p.findtext("y"))) for p in street.find("object[name='lake']/polygon")]
            assert points == [(0, 0), (40, 0), (40, 30)], points
            eye = street.find("object[name='eye']/point")
            assert (float(eye.findtext("x")), float(eye.findtext("y"))) == (320.25, 240)

            field = load(os.path.join("sub", "18_field.xml"))
            assert field.findtext("folder") == "images/sub" and field.findtext("filename") == "18_field.jpg"
            assert objects(field) == [(car, [-10, 50, 50, 150]), ("lake", [10, 10, 30, 40])], objects(field)
            assert [t.text for t in field.findall("tag")] == ["dog"]

            empty = load("19_empty.xml")
            assert empty.findall("object") == [] and empty.find("size").findtext("width") == "50"
            with open(os.path.join(root, "labelmap.txt"), encoding="utf-8") as f:
                assert f.read().splitlines() == ["cat", car, "lake", "eye", "dog"]
            """#)
    }

    @Test func namesThatXMLCannotHoldRawStillParse() throws {
        let name = "a\rb\u{1}c\nd"
        let document = ExportDocument(title: "", classes: [LabelClass(name: name, type: .tag)], images: [
            .init(id: 1, archivePath: "images/1.png", width: 1, height: 1, datasetID: 1, labels: [.tag(name)]),
        ], createdAt: "")
        let files = ExportWriter.files(for: document, format: .voc)
        #expect(files[0] == ExportFile(path: "labelmap.txt", bytes: Array("a b\u{1}c d\n".utf8)))
        try expectPythonAccepts(files, script: #"""
            import os, sys
            import xml.etree.ElementTree as ET
            tag = ET.parse(os.path.join(sys.argv[1], "Annotations", "1.xml")).getroot().findtext("tag")
            assert tag == "a\rb\ufffdc\nd", repr(tag)
            """#)
    }
}
