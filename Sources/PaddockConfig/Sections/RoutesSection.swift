/// `[[routes]]`: which pool serves which host and path, in file order.
enum RoutesSection {
    /// The validated routes, or nil if any route was reported.
    static func decode(
        _ node: TOMLNode?, at path: ConfigPath, poolNames: [String], _ diagnostics: inout Diagnostics
    ) -> [RouteConfig]? {
        let elements: [(path: ConfigPath, node: TOMLNode)]
        switch node {
        case nil, .array([])?:
            let example = poolNames.first ?? "<name>"
            diagnostics.report(path, "no routes defined; add a default route: [[routes]] pool = \(quoted(example))")
            return nil
        case .array(let items)?:
            elements = items.enumerated().map { (path.index($0.offset), $0.element) }
        case let other?:
            diagnostics.report(path, "expected an array of route tables ([[routes]]), got \(other.describedForMessage)")
            return nil
        }

        let errorsBefore = diagnostics.errors.count
        var routes: [RouteConfig] = []
        var firstSeen: [RouteKey: ConfigPath] = [:]
        for element in elements {
            guard let route = RouteSection.decode(element.node, at: element.path, poolNames: poolNames, &diagnostics) else {
                continue
            }
            let key = RouteKey(host: route.host, pathPrefix: route.pathPrefix)
            if let earlier = firstSeen[key] {
                diagnostics.report(element.path, "same host and path_prefix as \(earlier) (\(key)); this route could never match")
                continue
            }
            firstSeen[key] = element.path
            routes.append(route)
        }
        return diagnostics.errors.count == errorsBefore ? routes : nil
    }

    /// What makes two routes indistinguishable to the router.
    private struct RouteKey: Hashable, CustomStringConvertible {
        var host: String?
        var pathPrefix: String?

        var description: String {
            let hostText = host.map { "host \(quoted($0))" } ?? "any host"
            let prefixText = pathPrefix.map { "path_prefix \(quoted($0))" } ?? "any path"
            return "\(hostText), \(prefixText)"
        }
    }
}
