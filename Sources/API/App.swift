import HTTP
import Quarry

/// The one map of the server: every API surface bound onto one router, in one place.
public struct App: Sendable {
    public struct Configuration: Sendable {
        /// Enables `/admin/...` when set.
        public var adminKey: String?
        /// The HTTP limits, for handlers that parse multipart bodies themselves.
        public var limits: Limits
        /// The largest upload (all images of one request together).
        public var maxUploadBytes: Int
        /// What `GET /v1/ip` answers; discovered from the default route when nil.
        public var egressIP: String?
        /// The HTTP layer's request counters, which `/metrics` reports (with the admin key).
        public var requestMetrics: RequestMetrics?
        /// The Studio's single-user mode (`QUARRY_STUDIO_ACCOUNT`): Studio requests that carry no
        /// credentials act as this account. Requests with credentials are checked as always.
        public var studioAccountID: String?
        /// With `studioAccountID`: act as it only for requests sent to a loopback name, the server being
        /// meant for this machine (false with `QUARRY_STUDIO_ACCOUNT_ANY_ADDRESS`).
        public var studioAccountLoopbackOnly = true
        /// Peers whose `X-Forwarded-Proto` and `X-Forwarded-Host` are believed (`QUARRY_TRUSTED_PROXIES`, `PublicURLs`).
        public var trustedProxies: [AddressBlock] = []

        public init(adminKey: String? = nil, limits: Limits = Limits(), maxUploadBytes: Int = 1 << 30, egressIP: String? = nil) {
            self.adminKey = adminKey
            self.limits = limits
            self.maxUploadBytes = maxUploadBytes
            self.egressIP = egressIP
        }
    }

    public let router: Router
    /// Shapes errors raised by the HTTP layer itself in the API the path belongs to.
    public let errorResponder: ErrorResponder = ErrorShapes.responder

    public init(services: Services, configuration: Configuration) {
        var uploadLimits = configuration.limits
        // One part per image: an upload of thousands of images is ordinary.
        uploadLimits.maxMultipartParts = 10_050
        let uploads = UploadContext(limits: uploadLimits, spoolDirectory: services.spoolDirectory,
                                    maxUploadBytes: configuration.maxUploadBytes)
        let urls = PublicURLs(publicURL: services.settings.publicURL, trustedProxies: configuration.trustedProxies)
        var router = Router()
        SystemRoutes.bind(&router)
        JThetaRoutes.bind(&router, services: services, uploads: uploads, urls: urls)
        HITLRoutes.bind(&router, services: services, egressIP: configuration.egressIP, urls: urls)
        WorkerRoutes.bind(&router, services: services)
        WorkbenchRoutes.bind(&router, services: services)
        DashboardRoutes.bind(&router, services: services)
        StudioRoutes.bind(&router, services: services, uploads: uploads, anonymous: configuration.studioAccountID.map {
            AnonymousStudio(accountID: $0, loopbackOnly: configuration.studioAccountLoopbackOnly)
        })
        if let adminKey = configuration.adminKey, !adminKey.isEmpty {
            AdminRoutes.bind(&router, services: services, adminKey: adminKey, requestMetrics: configuration.requestMetrics)
        }
        self.router = router
    }
}
