import CUDA
import Crypto
import Foundation
import Synchronization
import Imaging
import Storage

/// Everything the APIs call into, opened from one data directory:
///
///     DATA/quarry.sqlite         the database (plus -wal and -shm beside it), unless it is PostgreSQL
///     DATA/blobs/                content-addressed files (images, uploads, exports, job files) over 128 KiB
///     DATA/blobs/inline.sqlite   the blobs up to 128 KiB, owned by the blob store (`InlineBlobs`)
///     DATA/blobs/tmp/            spooled request bodies and downloads; on the blobs' filesystem so they can be renamed in
///     DATA/blob-cache/           with blobs in a bucket (`BlobStorage.s3`), instead of blobs/: the spool (tmp/)
///                                and checked local copies of the bucket's blobs (cache/)
public final class Services: Sendable {
    public struct Settings: Sendable {
        public var imageLimits = ImageLimits()
        /// How old an unreferenced blob must be before it is collected: a blob is written before the
        /// row that refers to it commits, and must survive that gap.
        public var blobGracePeriod: Duration = .seconds(3600)
        /// PostgreSQL shared by several processes (`QUARRY_DATABASE_URL`); nil for SQLite in the data directory.
        public var databaseURL: String?
        /// Connections to PostgreSQL kept open at most (`QUARRY_DATABASE_CONNECTIONS`).
        public var databaseConnections = 16
        /// Files under the data directory, or a bucket shared by several processes (`QUARRY_BLOB_STORE`).
        public var blobStorage = BlobStorage.local
        /// The room the local copies of a bucket's blobs may take (`QUARRY_BLOB_CACHE_BYTES`).
        public var blobCacheBytes = 10 << 30
        /// Which addresses user-given URLs may reach (`QUARRY_ALLOW_PRIVATE_URLS`).
        public var addressPolicy = AddressPolicy.publicOnly
        public var fetchLimits = FetchLimits()
        public var webhooks = WebhookSettings()
        /// How often jobs are checked for expiry.
        public var expirySweepInterval: Duration = .seconds(30)
        /// Caps on uploaded ZIP archives (entries, sizes, compression ratio).
        public var zipLimits = ZipLimits()
        /// Runs training at once (`QUARRY_TRAINING_CONCURRENCY`) in this process; the rest wait their turn.
        public var trainingConcurrency = 1
        /// Whether this process claims queued work from the start (`quarry serve` does; `quarry worker` starts
        /// once its devices are checked, `startWork`; admin commands, which run beside a live server, never).
        public var performsWork = true
        /// The devices it takes work for (`quarry worker --device`); nil for every device it has.
        public var workDevices: WorkDevices?
        /// Whether it only performs work (`quarry worker`) rather than serve too.
        public var isWorker = false
        /// The folder local imports may read (`QUARRY_IMPORT_ROOT`); nil disables them.
        public var importRoot: String?
        /// The largest weights file taken, uploaded or in the weights folder (`QUARRY_MAX_WEIGHTS_BYTES`).
        public var maxWeightsBytes = 1 << 30
        /// The folder of weights files every account sees, read at start-up (`QUARRY_WEIGHTS_DIR`); nil for none.
        public var weightsFolder: String?
        /// The CUDA driver and NVML libraries to look for GPUs with (`QUARRY_CUDA_LIBRARY`, `QUARRY_NVML_LIBRARY`).
        public var cudaLibrary = "libcuda.so.1"
        public var nvmlLibrary = "libnvidia-ml.so.1"
        /// cuBLAS, for the GPU backends' products where it is installed (`QUARRY_CUBLAS_LIBRARY`).
        public var cublasLibrary = "libcublas.so.12"
        /// The GPU kernels' PTX (Resources/cuda/kernels.ptx); nil where it was not found.
        public var gpuKernels = ResourceFolders.gpuKernels()
        /// The base URL clients reach the server at (`QUARRY_PUBLIC_URL`); nil to take it from each request.
        public var publicURL: String?
        /// The listen address as a URL, for the links of HITL jobs made before their base was kept (`JobLinks`).
        public var listenURL = "http://127.0.0.1:8080"
        /// How a job's webhook reads: the HITL API's job status (`App.webhookBody`). Nil only where no
        /// job reports (tools, some tests); a job that reports without it fails its status change.
        public var webhookBody: WebhookBody?

        public init() {}
    }

    public let dataDirectory: String
    public let settings: Settings
    public let database: any Database
    public let blobs: any BlobStore
    public let accounts: AccountService
    public let projects: ProjectService
    public let datasets: DatasetService
    public let workers: WorkerService
    public let labeling: LabelingService
    public let exports: ExportService
    public let hitl: HITLService
    public let administration: ProjectAdministration
    public let webhooks: WebhookDispatcher
    public let images: ProjectImages
    public let splits: SplitService
    public let thumbnails: Thumbnails
    public let imports: ImportService
    public let experiments: ExperimentService
    public let runs: RunService
    public let prelabeler: Prelabeler
    public let evaluations: EvaluationService
    public let modelExports: ModelExportService
    public let weights: WeightsService
    public let gpus: GPUDevices
    public let devices: ComputeDevices
    /// Where HITL jobs' links point, in polls and webhooks alike.
    public let jobLinks: JobLinks
    public let startedAt = Date()
    private let collectionQueue = DispatchQueue(label: "quarry.blob-collection", qos: .utility)
    private let work = WorkInFlight()
    let jobs: JobRunner
    private let outbox: WebhookOutbox
    private let collectionQueued = Atomic<Bool>(false)
    let databaseProbe: DatabaseProbe

    public init(dataDirectory: String, settings: Settings = Settings()) throws {
        let root = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        self.dataDirectory = root
        self.settings = settings
        database = try settings.databaseURL.map { url in
            try PostgresDatabase(url: url, migrations: Migrations.all, connections: settings.databaseConnections)
        } ?? SQLiteDatabase(path: "\(root)/quarry.sqlite", migrations: Migrations.all, pageSize: Self.pageSize)
        databaseProbe = DatabaseProbe(database: database)
        blobs = try settings.blobStorage.open(dataDirectory: root, database: database, settings: settings)
        let fetcher = Fetcher(policy: settings.addressPolicy, limits: settings.fetchLimits)
        accounts = AccountService(database: database)
        projects = ProjectService(database: database)
        datasets = DatasetService(database: database, blobs: blobs, imageLimits: settings.imageLimits)
        workers = WorkerService(database: database)
        gpus = GPUDevices(driverLibrary: settings.cudaLibrary, nvmlLibrary: settings.nvmlLibrary)
        devices = ComputeDevices(gpus: gpus, kernelsPath: settings.gpuKernels, cublasLibrary: settings.cublasLibrary)
        jobs = JobRunner(database: database, work: work, concurrency: [.run: settings.trainingConcurrency],
                         devices: settings.workDevices ?? .local(gpus: gpus.count().count), role: settings.isWorker ? .worker : .serve)
        weights = WeightsService(database: database, blobs: blobs, maxBytes: settings.maxWeightsBytes, folderPath: settings.weightsFolder)
        runs = try RunService(database: database, blobs: blobs, dataDirectory: root, jobs: jobs, devices: devices, weights: weights)
        prelabeler = Prelabeler(database: database, blobs: blobs, runs: runs)
        jobLinks = JobLinks(publicURL: settings.publicURL, listenURL: settings.listenURL)
        outbox = WebhookOutbox(links: jobLinks, body: settings.webhookBody)
        labeling = LabelingService(database: database, outbox: outbox, prelabeler: prelabeler)
        exports = ExportService(database: database, blobs: blobs, links: try DownloadLinks(database: database))
        hitl = HITLService(database: database, downloads: FileDownloads(fetcher: fetcher, blobs: blobs, imageLimits: settings.imageLimits),
                           prelabeler: prelabeler)
        administration = ProjectAdministration(database: database)
        webhooks = WebhookDispatcher(database: database, fetcher: fetcher, settings: settings.webhooks, work: work, process: jobs.process.id)
        images = ProjectImages(database: database)
        splits = SplitService(database: database)
        thumbnails = Thumbnails(database: database, blobs: blobs, limits: settings.imageLimits)
        experiments = ExperimentService(database: database, devices: devices, weights: weights)
        evaluations = EvaluationService(database: database, blobs: blobs, runs: runs)
        modelExports = ModelExportService(database: database, blobs: blobs, runs: runs)
        imports = ImportService(database: database, blobs: blobs, limits: settings.imageLimits, zipLimits: settings.zipLimits,
                                importRoot: settings.importRoot, jobs: jobs)
        if settings.performsWork { try startWork() }
    }

    /// Begins claiming queued work: at once for a process made with `performsWork`, else when the caller
    /// has checked what it must first (`quarry worker`, its devices).
    public func startWork() throws {
        try jobs.start()
    }

    /// Settles what the last server process left behind, before this one serves: the jobs of processes
    /// that have gone and those no process claimed go back to waiting (`JobRunner.settle`), and the
    /// half-received uploads and unfinished blob writes in the temp directory go. Never called by admin
    /// commands, which run beside a live server.
    public func recoverFromLastProcess() throws {
        try jobs.process.join()
        try settleAbandonedWork(unclaimed: true)
        jobs.announce()
        let directory = blobs.temporaryDirectory
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(file)")
        }
    }

    /// For databases created from now on (an existing one keeps its own): a thumbnail of 10 to 15 KB then
    /// fills about one page rather than three or four, and an import of 2,000 images writes a quarter of
    /// the WAL frames (28,900 pwrite64 calls measured with 4 KiB pages). Small rows cost nothing more to read.
    static let pageSize = 16_384

    /// Where the HTTP layer spools large bodies.
    public var spoolDirectory: String { blobs.temporaryDirectory }

    /// Removes blobs no row refers to (older than the grace period). Returns how many went.
    @discardableResult
    public func collectBlobs() throws -> Int {
        // A thumbnail whose image is gone goes with it.
        try database.write { db in
            try ThumbnailStore.removeOrphans(on: db)
        }
        return try blobs.collectGarbage(referenced: { try database.read { db in try BlobReferences.referenced(on: db) } },
                                        gracePeriod: settings.blobGracePeriod)
    }

    /// Collects unreferenced blobs soon, off the caller's thread: a delete should not walk the whole
    /// blob store inside its request. Requests made while one is queued share it.
    public func collectBlobsSoon() {
        guard collectionQueued.exchange(true, ordering: .acquiringAndReleasing) == false else { return }
        collectionQueue.async { [self] in
            collectionQueued.store(false, ordering: .releasing)
            do {
                try collectBlobs()
            } catch {
                FileHandle.standardError.write(Data("error: blob collection failed: \(error)\n".utf8))
            }
        }
    }

    /// This process's heartbeat (`ProcessRegistry`), then the jobs of processes that have gone put back
    /// to wait for another to take them over; every `ProcessRegistry.beatInterval`.
    public func keepAlive() throws {
        try jobs.process.beat()
        if try settleAbandonedWork(unclaimed: false) > 0 { jobs.announce() }
    }

    /// In one transaction: the processes that have gone, their running jobs put back to wait (and with
    /// `unclaimed` those no process claimed), their webhook deliveries let go; how many jobs moved.
    @discardableResult
    func settleAbandonedWork(unclaimed: Bool) throws -> Int {
        try database.write { db in
            let departed = try jobs.process.departed(on: db)
            try WebhookOutbox.release(claimedBy: departed, on: db)
            return try JobRunner.settle(claimedBy: departed, unclaimed: unclaimed, on: db)
        }
    }

    /// The devices live `quarry worker` processes take work for, with their host names.
    public func workerDevices() throws -> [(host: String, devices: [String])] {
        try database.read { db in try ProcessRegistry.live(on: db) }.filter { $0.role == .worker }.map { ($0.host, $0.devices) }
    }

    /// How often `keepAlive` should run.
    public static var heartbeatInterval: Duration { ProcessRegistry.beatInterval }

    /// Expires overdue jobs now; returns how many.
    @discardableResult
    public func expireJobs() throws -> Int {
        let expired = try ExpirySweep.run(database: database, outbox: outbox)
        if expired > 0 { webhooks.dispatchDue() }
        return expired
    }

    /// Stops the background work, then closes the database. Runs stop at their next batch (and wait
    /// again, for another process or the next start to take them over from their checkpoint), queued
    /// work stays queued, and work already going has until `deadline`. If some is still going then, the database is left open,
    /// consistent as of its last commit, and the answer is false: the caller should exit without
    /// running exit handlers, which would wait on that work.
    @discardableResult
    public func close(waitingUntil deadline: DispatchTime = .distantFuture) -> Bool {
        jobs.stop()
        guard work.close(waitingUntil: deadline) else { return false }
        // A collection already queued finishes before the database it reads goes away.
        collectionQueue.sync {}
        // Its jobs are settled or done: the others need not wait for its heart to stop.
        try? jobs.process.leave()
        database.close()
        // After the close: a probe that passed just before it must not be reused.
        databaseProbe.forget()
        blobs.close()
        return true
    }
}

extension Services {
    public func webhookDeliveries(accountID: String, jobID: String?) throws -> [WebhookDelivery] {
        try database.read { db in try WebhookDelivery.list(accountID: accountID, jobID: jobID, on: db) }
    }

    /// The account's webhook signing secret, as hex.
    public func webhookSecret(accountID: String) throws -> String {
        try database.write { db in Hex.encode(try WebhookOutbox.secret(accountID: accountID, on: db)) }
    }
}
