/// A segmenter in ONNX: its pyramid, decoder and head, then SegmentationDecoder's arithmetic: the logits
/// resized to the input by Resize (linear, half-pixel coordinates) and ArgMax over the classes. The one
/// output, `classes`, is (N, H, W) int64: each input pixel's class, 0 the background.
extension ONNXExport.Walk {
    mutating func segmenter(_ model: Segmenter, _ input: String, _ shape: [Int]) throws(ONNXExport.Failure) -> (String, [Int]) {
        let fused = try pyramid(model.pyramid, input, shape)
        let decoded = try layer(model.decoder, fused.0, fused.1)
        return try layer(model.head, decoded.0, decoded.1)
    }

    mutating func classes(_ model: Segmenter, options: ONNXExport.Options) -> [UInt8] {
        let logits = graph.nodes[graph.nodes.count - 1].output
        let stride = Float(model.stride)
        let resized = graph.add("Resize", [logits, "", graph.weight("resize.scales", shape: [4], [1, 1, stride, stride])], [
            .string("mode", "linear"), .string("coordinate_transformation_mode", "half_pixel"),
        ])
        graph.rename(graph.add("ArgMax", [resized], [.int("axis", 1), .int("keepdims", 0)]), to: "classes")
        let batch: Int? = options.batchName == nil ? options.inputShape[0] : nil, symbol = options.batchName ?? ""
        return graph.serialize(
            opset: options.opset,
            input: .init(name: "input", shape: [batch] + options.inputShape.dropFirst().map { $0 }, symbol: symbol),
            outputs: [.init(name: "classes", shape: [batch, options.inputShape[2], options.inputShape[3]], symbol: symbol, elementType: .int64)],
            metadata: options.metadata)
    }
}
