/// A segmenter in ONNX: its pyramid, decoder and head, then SegmentationDecoder's arithmetic: the logits
/// resized to the input by Resize (linear, half-pixel coordinates) and ArgMax over the classes. The one
/// output, `classes`, is (N, H, W) int64: each input pixel's class, 0 the background.
extension ONNXExport.Walk {
    /// The resizing and ArgMax after the head; returns the graph's output, `batch` images (nil: symbolic).
    mutating func classes(_ model: Segmenter, batch: Int?, options: ONNXExport.Options) -> ONNXGraph.Value {
        let logits = graph.nodes[graph.nodes.count - 1].output
        let stride = Float(model.stride)
        let resized = graph.add("Resize", [logits, "", graph.weight("resize.scales", shape: [4], [1, 1, stride, stride])], [
            .string("mode", "linear"), .string("coordinate_transformation_mode", "half_pixel"),
        ])
        graph.rename(graph.add("ArgMax", [resized], [.int("axis", 1), .int("keepdims", 0)]), to: "classes")
        return .init(name: "classes", shape: [batch, options.inputShape[2], options.inputShape[3]], symbol: options.batchName ?? "",
                     elementType: .int64)
    }
}
