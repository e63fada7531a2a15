import HTTP
import Quarry

/// The one map of the server: every API surface bound onto one router, in one place.
public struct App: Sendable {
    public struct Configuration: Sendable {
        /// Enables `/admin/...` when set.
        public var adminKey: String?

        public init(adminKey: String? = nil) {
            self.adminKey = adminKey
        }
    }

    public let router: Router
    /// Shapes errors raised by the HTTP layer itself in the API the path belongs to.
    public let errorResponder: ErrorResponder = ErrorShapes.responder

    public init(services: Services, configuration: Configuration) {
        var router = Router()
        SystemRoutes.bind(&router)
        HITLRoutes.bind(&router, services: services)
        if let adminKey = configuration.adminKey, !adminKey.isEmpty {
            AdminRoutes.bind(&router, services: services, adminKey: adminKey)
        }
        self.router = router
    }
}
