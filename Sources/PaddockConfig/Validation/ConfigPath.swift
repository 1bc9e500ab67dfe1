/// Where a value sits in the document, rendered like "pools.web.servers[0].address".
///
/// Invariant: indexes are zero-based; keys that are not bare TOML keys are quoted (`pools."my pool"`).
struct ConfigPath: Sendable, Equatable, CustomStringConvertible {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component] = []

    static let root = ConfigPath()

    func key(_ name: String) -> ConfigPath {
        var copy = self
        copy.components.append(.key(name))
        return copy
    }

    func index(_ position: Int) -> ConfigPath {
        var copy = self
        copy.components.append(.index(position))
        return copy
    }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name):
                if !text.isEmpty { text += "." }
                text += Self.isBareKey(name) ? name : quoted(name)
            case .index(let position):
                text += "[\(position)]"
            }
        }
        return text
    }

    private static func isBareKey(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-")
        }
    }
}
