extension UnitQuantity {
    /// One-line explanation of why a value was rejected, e.g.
    /// `"5d" is not a valid duration (unknown unit "d"); expected a number followed by ms, s, m or h, e.g. "250ms", "2s" or "1.5m"`.
    /// `shown` is the value as it appears in the message (a quoted string or an integer literal).
    func message(for shown: String, _ failure: Failure) -> String {
        "\(shown) is not a valid \(noun) (\(reason(failure))); expected \(usage)"
    }

    private func reason(_ failure: Failure) -> String {
        switch failure {
        case .negative: return "negative"
        case .noNumber: return "no number"
        case .missingUnit: return "missing unit"
        case .notWhole: return "not a whole number of \(baseUnitName)"
        case .tooLarge: return "too large"
        case .unknownUnit(let unit):
            let names = units.map(\.name)
            if let suggestion = DidYouMean.suggestion(for: unit, among: names) {
                return "unknown unit \(quoted(unit)), did you mean \(quoted(suggestion))?"
            }
            return "unknown unit \(quoted(unit))"
        }
    }
}
