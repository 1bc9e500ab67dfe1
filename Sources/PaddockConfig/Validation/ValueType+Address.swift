extension ValueType where Value == SocketAddressSpec {
    /// A listen or upstream address string.
    static var address: ValueType {
        ValueType(expected: #"an address string such as "127.0.0.1:8000" or "unix:/run/app.sock""#) { node in
            guard case .string(let text) = node else { return .wrongType }
            switch AddressParser.parse(text) {
            case .success(let address):
                return .value(address)
            case .failure(let failure):
                return .invalid("\(quoted(text)) is not a valid address (\(failure.reason)); expected \(AddressParser.expectedForms)")
            }
        }
    }
}
