import Crypto
import Foundation
import Imaging
import Storage
import Synchronization

/// One import from start to finish.
struct ImportRun {
    let service: ImportService
    let jobID: String
    let project: Project

    /// A file that passed: its blob, what its header said, and its thumbnail.
    private struct Accepted {
        let name: String
        let className: String?
        let blob: BlobID
        let info: ImageInfo
        let size: Int
        let labels: [Label]
    }

    private enum Outcome {
        case accepted(Accepted)
        case skipped(ImportJob.Skipped)
    }

    /// Checks every file and commits the new dataset with the import's completion; a failure is thrown
    /// for the job runner to record, with nothing imported.
    func run(_ source: () throws -> ([ImportSource.Candidate], [ImportJob.Skipped])) throws -> JobRunner.Ending {
        let (candidates, skippedUpFront) = try source()
        advise { db in try ImportJobStore.setTotal(candidates.count, id: jobID, on: db) }
        let batch = service.blobs.batch()
        let outcomes = process(candidates, into: batch)
        do {
            // Files first, rows second: a row never points at a blob that is not yet durable.
            try batch.commit()
            try commit(outcomes, skippedUpFront: skippedUpFront)
        } catch {
            throw Failure(reason: error)
        }
        return .completed
    }

    /// How a failed import reads in its job.
    struct Failure: Error, CustomStringConvertible {
        let reason: any Error
        var description: String { "the import failed and nothing was imported: \(reason)" }
    }

    /// Checks and thumbnails every file, on every core. A file that decodes into a thumbnail is a
    /// whole image (the decode reads all of it), so one decode serves as both check and thumbnail.
    private func process(_ candidates: [ImportSource.Candidate], into batch: BlobBatch) -> [Outcome?] {
        let results = Mutex([Outcome?](repeating: nil, count: candidates.count))
        let thumbnails = ThumbnailWriter(database: service.database)
        // Progress commits wait for their fsync on a queue of their own, not on a decoding thread;
        // they are all written before the import's final update, which they must not overtake.
        let progress = WriteQueue(label: "quarry.import-progress")
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, candidates.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard index < candidates.count else { return }
                let outcome = check(candidates[index], into: batch, thumbnails: thumbnails)
                results.withLock { $0[index] = outcome }
                let finished = done.wrappingAdd(1, ordering: .relaxed).newValue
                if finished % 100 == 0 {
                    progress.submit { advise { db in try ImportJobStore.setProcessed(finished, id: jobID, on: db) } }
                }
            }
        }
        thumbnails.flush()
        progress.wait()
        return results.withLock { $0 }
    }

    private func check(_ candidate: ImportSource.Candidate, into batch: BlobBatch, thumbnails: ThumbnailWriter) -> Outcome {
        do {
            let bytes = try candidate.read()
            let info = try ImageProbe.probe(bytes, limits: service.limits)
            let thumbnail = try Thumbnail.make(from: bytes, info: info, limits: service.limits)
            let blob = try batch.add(bytes)
            thumbnails.add(image: blob, data: thumbnail)
            return .accepted(Accepted(name: candidate.name, className: candidate.className, blob: blob, info: info, size: bytes.count,
                                      labels: Self.drawable(candidate.labels(info), in: info)))
        } catch ImageError.unsupportedFormat, ImageError.empty {
            return .skipped(.init(name: candidate.name, reason: "not a PNG or JPEG image"))
        } catch let error as ImageError {
            return .skipped(.init(name: candidate.name, reason: error.description))
        } catch {
            return .skipped(.init(name: candidate.name, reason: "\(error)"))
        }
    }

    /// Writes every accepted image in one transaction, with duplicates (same bytes as an earlier file
    /// or an image already in the project) reported rather than stored twice.
    private func commit(_ outcomes: [Outcome?], skippedUpFront: [ImportJob.Skipped]) throws {
        try service.database.write { db in
            var existing = try DatasetStore.fileNamesByBlob(projectID: project.id, on: db)
            var skipped = skippedUpFront
            var duplicates: [ImportJob.Duplicate] = []
            var accepted: [Accepted] = []
            for outcome in outcomes {
                switch outcome {
                case .accepted(let image):
                    if let original = existing[image.blob.hex] {
                        duplicates.append(.init(name: image.name, duplicateOf: original))
                    } else {
                        existing[image.blob.hex] = image.name
                        accepted.append(image)
                    }
                case .skipped(let reason): skipped.append(reason)
                case nil: break
                }
            }
            var datasetID: Int?
            if !accepted.isEmpty {
                let now = Timestamp.now()
                let id = try DatasetStore.insert(projectID: project.id, name: "import \(now) \(jobID)", license: "", createdAt: now, on: db)
                datasetID = id
                for image in accepted {
                    let stored = StoredImage(blob: image.blob, fileName: String(image.name.split(separator: "/").last ?? ""),
                                             info: image.info, size: image.size)
                    let imageID = try DatasetStore.insertImage(datasetID: id, image: stored, className: image.className,
                                                               createdAt: now, on: db)
                    if !image.labels.isEmpty {
                        // Labels that came with the files are reviewed truth already: an approved task holds them.
                        try TaskStore.insert(LabelTask(
                            id: ID.make("job"), projectID: project.id, source: .imported, status: .done, annotatorID: nil,
                            reviewerID: nil, imageIDs: [imageID], predictions: [], annotations: [ImageLabels(imageID: imageID, labels: image.labels)],
                            draft: nil, reviewComment: nil, createdAt: now, updatedAt: now, startedAt: nil, submittedAt: nil,
                            finishedAt: now), on: db)
                    }
                }
                var classes = Set(accepted.compactMap(\.className)).sorted().map { LabelClass(name: $0, type: .tag) }
                for labelClass in accepted.flatMap({ $0.labels.map { LabelClass(name: $0.label, type: $0.type) } })
                where !classes.contains(labelClass) {
                    classes.append(labelClass)
                }
                for labelClass in classes {
                    // A name that is already a class of another type keeps that type; the images still carry theirs.
                    // Only that refusal is passed over: a failed statement has failed the whole transaction on
                    // PostgreSQL, so carrying on after one would only fail at COMMIT.
                    do {
                        try ProjectService.merge([labelClass], into: project.id, on: db)
                    } catch ProjectError.classTypeConflict {}
                }
            }
            try ImportJobStore.complete(id: jobID, imported: accepted.count, duplicates: duplicates, skipped: skipped,
                                        datasetID: datasetID, on: db)
        }
    }

    /// Labels from files, kept only where they are drawable on this image (inside it, well formed),
    /// so imported labels pass the same checks as labels made by people.
    static func drawable(_ labels: [Label], in info: ImageInfo) -> [Label] {
        let bounds = [0: AnnotationValidator.ImageBounds(width: Double(info.width), height: Double(info.height))]
        return labels.filter { label in
            let validator = AnnotationValidator(classes: [LabelClass(name: label.label, type: label.type)], images: bounds,
                                                allowClassCreation: false)
            return (try? validator.validate([ImageLabels(imageID: 0, labels: [label])])) != nil
        }
    }

    private func advise(_ write: (any Connection) throws -> Void) {
        // Progress is advisory: a failed update must not fail the import.
        _ = try? service.database.write { db in try write(db) }
    }
}
