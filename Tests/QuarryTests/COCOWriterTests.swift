@testable import Quarry
import Testing

@Suite struct COCOWriterTests {
    @Test func aSmallDocumentIsWrittenExactly() {
        let document = ExportDocument(
            title: "T", classes: [LabelClass(name: "car", type: .boundingBox), LabelClass(name: "eye", type: .point)],
            images: [.init(id: 5, archivePath: "images/5_a.png", width: 4, height: 3, datasetID: 1,
                           labels: [.box("car", x: 0.5, y: 1, width: 2, height: 1.25), .tag("car")])],
            createdAt: "2026-01-02T03:04:05.000Z")
        let files = ExportWriter.files(for: document, format: .coco)
        #expect(files.map(\.path) == ["annotations.json"])
        #expect(String(decoding: files[0].bytes, as: UTF8.self) == """
            {
            "info": {"description":"T","date_created":"2026-01-02T03:04:05.000Z"},
            "licenses": [],
            "images": [
            {"id":5,"file_name":"images/5_a.png","width":4,"height":3,"tags":["car"]}
            ],
            "categories": [
            {"id":1,"name":"car","supercategory":"bounding_box"},
            {"id":2,"name":"eye","supercategory":"point","keypoints":["eye"],"skeleton":[]}
            ],
            "annotations": [
            {"id":1,"image_id":5,"category_id":1,"bbox":[0.5,1,2,1.25],"area":2.5,"segmentation":[],"iscrowd":0}
            ]
            }

            """)
    }

    @Test func polygonsGetTheirBoundsAndShoelaceAreaAndPointsAreKeypoints() throws {
        let json = try ExportFixtures.text(.coco, "annotations.json")
        #expect(json.contains(#""category_id":3,"bbox":[10.5,10,19.5,30],"area":585,"segmentation":[[10.5,10,30,10,30,40,10.5,40]],"iscrowd":0"#))
        #expect(json.contains(#""bbox":[320.25,240,0,0],"area":0,"segmentation":[],"keypoints":[320.25,240,2],"num_keypoints":1"#))
        #expect(json.contains(#""name":"car, \"fast\" <&> 'x'""#))
        #expect(COCOWriter.shoelaceArea([.init(x: 0, y: 0), .init(x: 0, y: 2), .init(x: 3, y: 0)]) == 3)
    }

    @Test func pycocotoolsLoadsTheExportWithTheRightCountsBoxesAndAreas() throws {
        try expectPythonAccepts(ExportFixtures.files(.coco), script: #"""
            import json, os, sys
            path = os.path.join(sys.argv[1], "annotations.json")
            raw = json.load(open(path, encoding="utf-8"))
            try:
                from pycocotools.coco import COCO
            except ImportError:
                # Without pycocotools, the rules COCO() relies on: the three lists, unique ids, references that resolve.
                class COCO:
                    def __init__(self, path):
                        self.dataset = json.load(open(path, encoding="utf-8"))
                        self.imgs = {i["id"]: i for i in self.dataset["images"]}
                        self.cats = {c["id"]: c for c in self.dataset["categories"]}
                        self.anns = {a["id"]: a for a in self.dataset["annotations"]}
                        assert len(self.anns) == len(self.dataset["annotations"])
                        for a in self.anns.values():
                            assert a["image_id"] in self.imgs and a["category_id"] in self.cats
                    def getAnnIds(self, imgIds=[], catIds=[]):
                        return [a["id"] for a in self.dataset["annotations"]
                                if (not imgIds or a["image_id"] in imgIds) and (not catIds or a["category_id"] in catIds)]
                    def loadAnns(self, ids):
                        return [self.anns[i] for i in ids]
                    def getCatIds(self):
                        return list(self.cats)
                    def getImgIds(self):
                        return list(self.imgs)
            coco = COCO(path)
            assert sorted(coco.getImgIds()) == [17, 18, 19]
            assert coco.getCatIds() == [1, 2, 3, 4, 5]
            assert [c["name"] for c in raw["categories"]] == ["cat", "car, \"fast\" <&> 'x'", "lake", "eye", "dog"]
            assert [c["supercategory"] for c in raw["categories"]] == ["tag", "bounding_box", "polygon", "point", "tag"]
            assert len(coco.getAnnIds()) == 5
            assert len(coco.getAnnIds(imgIds=[17])) == 3
            assert len(coco.getAnnIds(imgIds=[18])) == 2
            assert coco.getAnnIds(imgIds=[19]) == []
            anns = coco.loadAnns(coco.getAnnIds())
            assert [a["id"] for a in anns] == [1, 2, 3, 4, 5]
            assert [(a["image_id"], a["category_id"]) for a in anns] == [(17, 2), (17, 3), (17, 4), (18, 2), (18, 3)]
            assert [a["bbox"] for a in anns] == [[10, 20, 100.5, 50], [0, 0, 40, 30], [320.25, 240, 0, 0],
                                                 [-10, 50, 60, 100], [10.5, 10, 19.5, 30]], [a["bbox"] for a in anns]
            assert [a["area"] for a in anns] == [5025, 600, 0, 6000, 585]
            assert all(a["iscrowd"] == 0 for a in anns)
            assert anns[1]["segmentation"] == [[0, 0, 40, 0, 40, 30]]
            assert anns[2]["keypoints"] == [320.25, 240, 2] and anns[2]["num_keypoints"] == 1
            images = {i["id"]: i for i in raw["images"]}
            assert images[17]["file_name"] == "images/17_street.png" and images[18]["width"] == 200
            assert [images[i]["tags"] for i in (17, 18, 19)] == [["cat"], ["dog"], []]
            assert raw["info"] == {"description": "Street \"scenes\"", "date_created": "2026-02-19T10:00:00.125Z"}
            if hasattr(coco, "annToMask"):
                # The polygon rasterizes to about its area, so segmentation is in pycocotools' own order.
                assert abs(int(coco.annToMask(anns[4]).sum()) - 585) < 40
            """#)
    }
}
