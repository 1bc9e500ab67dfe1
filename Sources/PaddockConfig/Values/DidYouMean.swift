/// Suggests the closest known spelling for a mistyped word.
enum DidYouMean {
    /// The candidate closest to `word` by case-insensitive optimal-string-alignment distance
    /// (adjacent transpositions count as one edit), if it is close enough to be a plausible typo:
    /// only a case difference for candidates up to 2 characters (so units like "m" are not suggested for "d"), 1 edit up to 4 characters, 2 up to 8, else 3. Ties go to the earliest candidate.
    /// An exact (case-sensitive) match is not a suggestion.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let limit = candidate.count <= 2 ? 0 : candidate.count <= 4 ? 1 : candidate.count <= 8 ? 2 : 3
            let distance = editDistance(target, Array(candidate.lowercased()))
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance between two character arrays.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
