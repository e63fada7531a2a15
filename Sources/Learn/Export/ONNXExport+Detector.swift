/// A detector in ONNX: its backbone, pyramid (Resize nearest ×2 and Add), tower and head as the other
/// models' layers are written, then FCOSDecoder's arithmetic as graph nodes, so that a runtime alone gives
/// the boxes Quarry gives:
///
///     score = √(σ(class) · σ(centerness))            (N, classes, H·W)
///     box   = center ∓ stride · exp(min(distance, 12)), clipped to the image    (N, H·W, 4), x1 y1 x2 y2
///     NonMaxSuppression per class (IoU 0.6, score above 0.05, at most 100 a class)
///
/// Outputs, one row per kept box: `boxes` (K, 4) float32 in input pixels, `scores` (K) float32, `labels`
/// (K) int64 class indices and `batch_index` (K) int64, the image of the batch each belongs to.
extension ONNXExport {
    public enum Detector {
        public static let outputs = ["boxes", "scores", "labels", "batch_index"]
    }
}

extension ONNXExport.Walk {
    /// The decoding and suppression after the head; returns the graph's four outputs.
    mutating func detections(_ model: FCOS, head shape: [Int], options: ONNXExport.Options) -> [ONNXGraph.Value] {
        let head = graph.nodes[graph.nodes.count - 1].output
        let (classes, height, width, stride) = (model.classes, shape[1], shape[2], model.stride)
        let plane = height * width
        let decoder = FCOSDecoder(classes: classes, stride: stride)
        func slice(_ from: Int, _ to: Int) -> String {
            graph.add("Slice", [head, graph.integers("starts", shape: [1], [from]), graph.integers("ends", shape: [1], [to]),
                                graph.integers("axes", shape: [1], [1])])
        }
        func flat(_ tensor: String, _ channels: Int) -> String {
            graph.add("Reshape", [tensor, graph.integers("shape", shape: [3], [0, channels, plane])])
        }
        let probability = graph.add("Mul", [graph.add("Sigmoid", [slice(0, classes)]), graph.add("Sigmoid", [slice(classes + 4, classes + 5)])])
        let scores = flat(graph.add("Sqrt", [probability]), classes)
        let distances = flat(graph.add("Mul", [graph.add("Exp", [graph.add("Min", [slice(classes, classes + 4), constant(12)])]),
                                               constant(Float(stride))]), 4)
        // Each location's center as (x, y, x, y), and the signs that take the left and top sides away.
        var centers = [Float](repeating: 0, count: 4 * plane)
        for location in 0..<plane {
            let x = (Float(location % width) + 0.5) * Float(stride), y = (Float(location / width) + 0.5) * Float(stride)
            for (side, value) in [x, y, x, y].enumerated() { centers[side * plane + location] = value }
        }
        let (imageHeight, imageWidth) = (Float(options.inputShape[2]), Float(options.inputShape[3]))
        let corners = graph.add("Add", [graph.weight("centers", shape: [1, 4, plane], centers),
                                        graph.add("Mul", [graph.weight("signs", shape: [1, 4, 1], [-1, -1, 1, 1]), distances])])
        let clipped = graph.add("Min", [graph.add("Max", [corners, constant(0)]),
                                        graph.weight("limits", shape: [1, 4, 1], [imageWidth, imageHeight, imageWidth, imageHeight])])
        let boxes = graph.add("Transpose", [clipped], [.ints("perm", [0, 2, 1])])
        let selected = graph.add("NonMaxSuppression", [
            boxes, scores, graph.integers("max_output_boxes_per_class", shape: [1], [decoder.limit]),
            graph.weight("iou_threshold", shape: [1], [decoder.iouThreshold]),
            graph.weight("score_threshold", shape: [1], [decoder.scoreThreshold]),
        ])
        func column(_ index: Int) -> String {
            graph.add("Gather", [selected, graph.integers("column", shape: [], [index])], [.int("axis", 1)])
        }
        let names = ONNXExport.Detector.outputs
        graph.rename(graph.add("GatherND", [boxes, graph.add("Gather", [selected, graph.integers("columns", shape: [2], [0, 2])],
                                                              [.int("axis", 1)])]), to: names[0])
        graph.rename(graph.add("GatherND", [scores, selected]), to: names[1])
        graph.rename(column(1), to: names[2])
        graph.rename(column(0), to: names[3])
        return [
            .init(name: names[0], shape: [nil, 4], symbol: "detections"),
            .init(name: names[1], shape: [nil], symbol: "detections"),
            .init(name: names[2], shape: [nil], symbol: "detections", elementType: .int64),
            .init(name: names[3], shape: [nil], symbol: "detections", elementType: .int64),
        ]
    }
}
