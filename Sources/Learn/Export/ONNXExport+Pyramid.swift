extension ONNXExport.Walk {
    /// A feature pyramid: the backbone's parts, then each fused level's lateral plus the level above
    /// doubled by Resize (nearest, asymmetric, floor: y[i] = x[i / 2], Upsample.nearest's copy).
    mutating func pyramid(_ pyramid: FeaturePyramid, _ input: String, _ shape: [Int]) throws(ONNXExport.Failure) -> (String, [Int]) {
        try expect(shape.count == 3 && shape[1] % pyramid.sideMultiple == 0 && shape[2] % pyramid.sideMultiple == 0,
                   "a pyramid's sides must be multiples of \(pyramid.sideMultiple), got \(shape)")
        var features: [(String, [Int])] = []
        var current = (input, shape)
        for part in pyramid.backbone.parts {
            current = try layer(part, current.0, current.1)
            features.append(current)
        }
        let top = features.count - 1
        var fused = try layer(pyramid.laterals[top - pyramid.first], features[top].0, features[top].1)
        let scales = graph.weight("resize.scales", shape: [4], [1, 1, 2, 2])
        for level in stride(from: top - 1, through: pyramid.first, by: -1) {
            let lateral = try layer(pyramid.laterals[level - pyramid.first], features[level].0, features[level].1)
            let doubled = graph.add("Resize", [fused.0, "", scales], [
                .string("mode", "nearest"), .string("coordinate_transformation_mode", "asymmetric"), .string("nearest_mode", "floor"),
            ])
            fused = (graph.add("Add", [lateral.0, doubled]), lateral.1)
        }
        return fused
    }
}
