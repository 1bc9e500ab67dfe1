import HTTP1

/// Differential-testing probe: reads test cases from standard input, one per line as hex, parses
/// each as a request with the HTTP1 codec, and prints one JSON object per case (see `ProbeReport`).
///
///     HTTP1Probe [--keep-underscore] < cases.hex > results.jsonl
///
/// `--keep-underscore` turns off the default dropping of fields whose name contains `_`, so the
/// field lists compare one to one with parsers that keep them.
@main
enum HTTP1Probe {
    static func main() {
        var limits = HTTPLimits()
        for argument in CommandLine.arguments.dropFirst() {
            switch argument {
            case "--keep-underscore":
                limits.dropUnderscoreFields = false
            default:
                print("usage: HTTP1Probe [--keep-underscore] < hex-lines")
                return
            }
        }
        var out = ""
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            guard let bytes = Hex.decode(line) else {
                out += "{\"error\":\"line \(number) is not hex\"}\n"
                continue
            }
            ProbeReport.describe(bytes, limits: limits, into: &out)
            out += "\n"
            if out.utf8.count > 1 << 16 {
                print(out, terminator: "")
                out = ""
            }
        }
        print(out, terminator: "")
    }
}
