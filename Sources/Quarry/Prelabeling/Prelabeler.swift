import Foundation
import Imaging
import Learn
import Storage
import Synchronization

/// A project's pre-labeler: a run's checkpoint whose predictions new tasks get before anyone labels
/// them. HITL jobs sent without `predictions` and new JTheta tasks each get a pre-label job
/// (`JobKind.prelabel`) in the transaction that creates them, run by the job runner; each image gets
/// a classifier's most likely class as a `tag`, a detector's boxes scoring at least `boxScore`, or a
/// segmenter's regions traced into polygons, each with its confidence, as the task's predictions, which
/// the workbench shows as editable suggestions and the HITL job status returns.
public final class Prelabeler: Sendable {
    public struct Setting: Sendable, Equatable {
        public let runID: String
        public let checkpoint: RunCheckpoint
        public let device: Device
    }

    /// One task's pre-label job: its state and the task's images with the predictions they have now
    /// (none until the job completes, or when a worker or the client got there first).
    public struct Job: Sendable, Equatable {
        public struct Image: Sendable, Equatable {
            public let imageID: Int
            public let fileName: String
            public let labels: [Label]
        }

        public let id: String
        public let taskID: String
        public let status: JobStatus
        public let error: String?
        public let createdAt: String
        public let finishedAt: String?
        public let images: [Image]
    }

    let database: any Database
    let blobs: any BlobStore
    let runs: RunService
    /// A detector's boxes below this confidence are not suggested: the workbench's slider hides more.
    public static let boxScore: Float = 0.25
    /// The last model loaded (on its device), kept while the next task asks for the same one.
    private let loaded = Mutex<(key: String, model: TrainedModel, backend: any Backend)?>(nil)

    init(database: any Database, blobs: any BlobStore, runs: RunService) {
        self.database = database
        self.blobs = blobs
        self.runs = runs
        runs.jobs.register(.prelabel) { [self] context in
            try perform(context.id)
            return .completed
        }
    }

    /// Names the run's checkpoint as the project's pre-labeler; the run must have finished training. It
    /// computes on `device`, by default the run's when this server has it, else the first GPU, else the CPU.
    public func set(accountID: String, projectID: String, runID: String, checkpoint: RunCheckpoint = .best,
                    device: Device? = nil) throws -> Setting {
        let offered = try runs.offeredDevices()
        return try database.write { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            guard let run = try RunStore.find(id: runID, on: db), run.projectID == projectID else { throw TrainedModelError.runNotFound(runID) }
            _ = try TrainedModel.checkedRun(runID, experimentID: run.experimentID, projectID: projectID, checkpoint: checkpoint,
                                            runs: runs, on: db)
            let setting = Setting(runID: runID, checkpoint: checkpoint, device: try runs.devices.choose(device, preferring: run.config.device.primary, offered: offered))
            try ProjectStore.setPrelabeler(setting, projectID: projectID, on: db)
            return setting
        }
    }

    public func get(accountID: String, projectID: String) throws -> Setting? {
        try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try ProjectStore.prelabeler(projectID: projectID, on: db)
        }
    }

    /// The project's pre-label jobs, newest first, at most `limit`: which new tasks the model labeled, and what it said.
    public func jobs(accountID: String, projectID: String, limit: Int = 50) throws -> [Job] {
        try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try PrelabelJobStore.recent(projectID: projectID, limit: limit, on: db)
        }
    }

    public func clear(accountID: String, projectID: String) throws {
        try database.write { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            try ProjectStore.setPrelabeler(nil, projectID: projectID, on: db)
        }
    }

    /// Tells the job runner of committed pre-label jobs (`PrelabelJobStore.queue`), which some process
    /// runs one at a time; a failure is recorded on the job and logged, and leaves the task without predictions.
    func submit(_ jobIDs: [String]) {
        for id in jobIDs { runs.jobs.submit(.prelabel, id: id) }
    }

    /// The task's predictions from the project's pre-labeler as it is now: none if it was cleared meanwhile.
    private func perform(_ jobID: String) throws {
        do {
            guard let (taskID, setting) = try database.read({ db -> (String, Setting)? in
                guard let job = try PrelabelJobStore.find(id: jobID, on: db),
                      let setting = try ProjectStore.prelabeler(projectID: job.projectID, on: db) else { return nil }
                return (job.taskID, setting)
            }) else { return }
            try predict(taskID: taskID, setting)
        } catch {
            FileHandle.standardError.write(Data("error: pre-label \(jobID) failed: \(error)\n".utf8))
            throw error
        }
    }

    /// Predicts a task's images with the setting's model, unless the task already has predictions or a
    /// worker has moved it past labeling.
    func predict(taskID: String, _ setting: Setting) throws {
        guard let run = try database.read({ db in try RunStore.find(id: setting.runID, on: db) }) else { return }
        let key = "\(run.id)/\(setting.checkpoint)/\(setting.device)"
        let device = setting.device
        let (trained, backend) = try loaded.withLock { current in
            if let current, current.key == key { return (current.model, current.backend) }
            current = nil  // the previous model's device memory goes before the next one's is taken
            let backend = try runs.devices.backend(on: device)
            let model = try TrainedModel.load(run, checkpoint: setting.checkpoint, runs: runs, on: backend)
            current = (key, model, backend)
            return (model, backend)
        }
        let (images, polygonClasses) = try database.read { db -> ([ImageRecord], Set<String>) in
            guard let task = try TaskStore.find(id: taskID, on: db), task.predictions.isEmpty else { return ([], []) }
            let polygons = try ProjectStore.classes(projectID: run.projectID, on: db).filter { $0.type == .polygon }.map(\.name)
            return (try task.imageIDs.compactMap { id in try DatasetStore.image(id: id, on: db) }, Set(polygons))
        }
        guard !images.isEmpty else { return }
        let config = run.config, side = config.imageSize
        var pixels: [Float] = []
        for image in images {
            pixels += try TrainingData.example(TrainingData.Item(blob: image.blob, label: 0), blobs: blobs, config: config, training: false, seed: 0)
        }
        let output = runs.devices.occupying(device) {
            trained.inference.forward(backend.upload(Tensor(shape: [images.count, 3, side, side], storage: pixels)))
        }
        let values = try output.hostValues()
        let classes = run.classes
        let predictions: [ImageLabels]
        if let detector = trained.model as? FCOS {
            let decoder = FCOSDecoder(classes: detector.classes, stride: detector.stride)
            let found = decoder.decode(values, shape: output.shape, imageWidth: side, imageHeight: side)
            predictions = zip(images, found).map { image, detections in
                ImageLabels(imageID: image.id, labels: Self.boxes(detections, in: image, side: side, classes: classes, polygonClasses: polygonClasses))
            }
        } else if trained.model is Segmenter {
            let plane = output.count / output.shape[0]
            predictions = images.enumerated().map { row, image in
                let values = Array(values[row * plane..<(row + 1) * plane])
                return ImageLabels(imageID: image.id, labels: Self.polygons(values, shape: [1] + output.shape.dropFirst(), in: image,
                                                                             classes: classes))
            }
        } else {
            predictions = images.enumerated().map { row, image in
                let scores = ClassScores(values[row * classes.count..<(row + 1) * classes.count])
                return ImageLabels(imageID: image.id, labels: [Label(label: classes[scores.best], type: .tag, confidence: scores.probabilities[scores.best])])
            }
        }
        try database.write { db in
            // A worker may have started meanwhile, or the client's own predictions arrived: theirs stand.
            guard var task = try TaskStore.find(id: taskID, on: db), task.predictions.isEmpty, [.new, .progress].contains(task.status) else { return }
            task.predictions = predictions
            try TaskStore.update(task, on: db)
        }
    }

    /// A detector's boxes worth suggesting, from its square input back to the image's pixels. A class the
    /// project labels with polygons (a detector also learns from polygons' boxes) gets its box as a
    /// four-corner polygon, so the suggestion is a label the class takes.
    static func boxes(_ detections: [Detection], in image: ImageRecord, side: Int, classes: [String], polygonClasses: Set<String>) -> [Label] {
        let (sx, sy) = (Float(image.width) / Float(side), Float(image.height) / Float(side))
        return detections.filter { $0.score >= boxScore }.map { detection in
            let box = detection.box.scaled(x: sx, y: sy)
            let (name, confidence) = (classes[box.classIndex], Double(detection.score))
            let (x1, y1, x2, y2) = (Double(box.x1), Double(box.y1), Double(box.x2), Double(box.y2))
            return polygonClasses.contains(name)
                ? Label.polygon(name, [[x1, y1], [x2, y1], [x2, y2], [x1, y2]], confidence: confidence)
                : Label.box(name, x: x1, y: y1, width: x2 - x1, height: y2 - y1, confidence: confidence)
        }
    }

    /// A segmenter's regions at the image's size, each class's traced into polygons (`MaskContours`, within
    /// a pixel, regions under `regionPixels` left out as noise), a polygon's confidence the mean of its
    /// class's softmax probability over the class's pixels.
    static func polygons(_ logits: [Float], shape: [Int], in image: ImageRecord, classes: [String]) -> [Label] {
        let (width, height) = (image.width, image.height)
        let mask = SegmentationDecoder().masks(logits, shape: shape, width: width, height: height)[0]
        let confidence = SegmentationDecoder().meanProbabilities(logits, shape: shape, of: mask, width: width, height: height)
        return classes.indices.flatMap { index in
            MaskContours.polygons(of: UInt8(index + 1), in: mask, width: width, height: height, tolerance: 1, minimumPixels: regionPixels)
                .map { Label.polygon(classes[index], $0, confidence: confidence[index + 1]) }
        }
    }

    /// A segmenter's regions smaller than this many pixels are not suggested.
    public static let regionPixels = 16
}
