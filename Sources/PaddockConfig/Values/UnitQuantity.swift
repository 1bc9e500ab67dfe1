/// Parses "<number><unit>" text such as "1.5s" or "100MB" into an exact integer count of base units.
///
/// The number is decimal digits with an optional fraction; spaces may separate it from the unit.
/// Invariant: a result is returned only if the value is an exact whole number of base units that
/// fits in `UInt64`; nothing is rounded.
struct UnitQuantity {
    /// Unit spelling → base units per unit (e.g. "s" → 1000 for milliseconds).
    let units: [(name: String, multiplier: UInt64)]
    /// Unit applied when the text has none; nil means a unit is required.
    let defaultMultiplier: UInt64?
    /// Name of the base unit for messages ("milliseconds", "bytes").
    let baseUnitName: String
    /// What the value is called in messages ("duration", "size").
    let noun: String
    /// What a valid value looks like, for the "expected ..." part of messages.
    let usage: String

    /// Most fraction digits considered (after trailing zeros are dropped); keeps arithmetic in range.
    private static let maxFractionDigits = 9

    enum Failure: Error, Equatable {
        case negative
        case noNumber
        case missingUnit
        case unknownUnit(String)
        case notWhole
        case tooLarge
    }

    func parse(_ text: String) -> Result<UInt64, Failure> {
        var rest = text[...]
        if rest.hasPrefix("-") { return .failure(.negative) }
        let integerDigits = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(integerDigits.count)
        var fractionDigits: Substring = ""
        if rest.hasPrefix(".") {
            fractionDigits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            if fractionDigits.isEmpty { return .failure(.noNumber) }
            rest = rest.dropFirst(1 + fractionDigits.count)
        }
        if integerDigits.isEmpty { return .failure(.noNumber) }
        let unitText = rest.drop { $0 == " " }

        let multiplier: UInt64
        if unitText.isEmpty {
            guard let defaultMultiplier else { return .failure(.missingUnit) }
            multiplier = defaultMultiplier
        } else if let unit = units.first(where: { $0.name == unitText }) {
            multiplier = unit.multiplier
        } else {
            return .failure(.unknownUnit(String(unitText)))
        }
        return scale(integer: integerDigits, fraction: fractionDigits, by: multiplier)
    }

    private func scale(integer: Substring, fraction: Substring, by multiplier: UInt64) -> Result<UInt64, Failure> {
        guard let whole = UInt64(integer) else { return .failure(.tooLarge) }
        let (product, overflow) = whole.multipliedReportingOverflow(by: multiplier)
        if overflow { return .failure(.tooLarge) }

        var significant = fraction
        while significant.hasSuffix("0") { significant = significant.dropLast() }
        if significant.isEmpty { return .success(product) }
        guard significant.count <= Self.maxFractionDigits, let numerator = UInt64(significant) else {
            return .failure(.notWhole)
        }
        var denominator: UInt64 = 1
        for _ in 0..<significant.count { denominator *= 10 }
        // numerator < 10^9 and multiplier <= ~3.6e9, so this cannot overflow.
        let scaled = numerator * multiplier
        guard scaled % denominator == 0 else { return .failure(.notWhole) }
        let (total, totalOverflow) = product.addingReportingOverflow(scaled / denominator)
        return totalOverflow ? .failure(.tooLarge) : .success(total)
    }
}
