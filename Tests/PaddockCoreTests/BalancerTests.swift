import PaddockConfig
import Testing
@testable import PaddockCore

@Suite struct BalancerTests {
    private func loads(_ inFlight: [Int], weights: [Int]? = nil, down: Set<Int> = [], capacity: [Int]? = nil) -> [ServerLoad] {
        inFlight.enumerated().map { index, count in
            ServerLoad(inFlight: count, weight: weights?[index] ?? 1, isUp: !down.contains(index), capacity: capacity?[index])
        }
    }

    @Test func leastOutstandingPicksTheIdlestServer() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 3)
        #expect(balancer.pick(loads([4, 1, 3])) == .server(1))
        #expect(balancer.pick(loads([0, 5, 5])) == .server(0))
    }

    @Test func leastOutstandingSpreadsTiesInsteadOfPilingOnTheFirst() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 3)
        let picks = (0..<6).map { _ in balancer.pick(loads([0, 0, 0])) }
        #expect(picks.filter { $0 == .server(0) }.count == 2)
        #expect(picks.filter { $0 == .server(1) }.count == 2)
        #expect(picks.filter { $0 == .server(2) }.count == 2)
    }

    @Test func leastOutstandingHonoursWeights() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 2)
        // (3+1)*1 = 4 vs (0+1)*3 = 3: server 1 is less loaded relative to its weight.
        #expect(balancer.pick(loads([3, 0], weights: [3, 1])) == .server(1))
        // (1+1)*1 = 2 vs (1+1)*3 = 6: server 0, with three times the weight, takes it.
        #expect(balancer.pick(loads([1, 1], weights: [3, 1])) == .server(0))
    }

    @Test func roundRobinFollowsWeightsSmoothly() {
        var balancer = Balancer(strategy: .roundRobin, serverCount: 3)
        let picks = (0..<7).map { _ in balancer.pick(loads([0, 0, 0], weights: [5, 1, 1])) }
        #expect(picks == [0, 0, 1, 0, 2, 0, 0].map(BalancerPick.server))
    }

    @Test(arguments: [BalanceStrategy.leastOutstanding, .roundRobin])
    func triedServersAreSkippedUntilNoneRemain(strategy: BalanceStrategy) {
        var balancer = Balancer(strategy: strategy, serverCount: 3)
        let current = loads([0, 0, 0])
        var tried: [Int] = []
        for _ in 0..<3 {
            guard case let .server(index) = balancer.pick(current, excluding: tried) else {
                Issue.record("expected a server")
                return
            }
            #expect(!tried.contains(index))
            tried.append(index)
        }
        #expect(balancer.pick(current, excluding: tried) == .exhausted)
    }

    @Test(arguments: [BalanceStrategy.leastOutstanding, .roundRobin])
    func downServersAreUsedOnlyWhenNoServerIsUp(strategy: BalanceStrategy) {
        var balancer = Balancer(strategy: strategy, serverCount: 3)
        for _ in 0..<5 {
            #expect(balancer.pick(loads([9, 0, 0], down: [1, 2])) == .server(0))
        }
        let pick = balancer.pick(loads([0, 0, 0], down: [0, 1, 2]), excluding: [0])
        #expect(pick == .server(1) || pick == .server(2))
    }

    @Test func syncServersGetTheMostFreeSlotsAndNeverMoreThanCapacity() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 2)
        // One worker vs three workers: the bigger server fills first, and nobody exceeds capacity.
        var inFlight = [0, 0]
        var order: [Int] = []
        while case let .server(index) = balancer.pick(loads(inFlight, capacity: [1, 3])) {
            order.append(index)
            inFlight[index] += 1
        }
        #expect(order.count == 4)
        #expect(inFlight == [1, 3])
        #expect(order.first == 1)
        #expect(balancer.pick(loads(inFlight, capacity: [1, 3])) == .full)
    }

    @Test(arguments: BalanceStrategy.allCases)
    func withActiveChecksADownServerIsNeverPicked(strategy: BalanceStrategy) {
        var balancer = Balancer(strategy: strategy, serverCount: 3)
        for _ in 0..<6 {
            #expect(balancer.pick(loads([5, 0, 0], down: [1, 2]), triesDownServers: false) == .server(0))
        }
        // Nothing up: nothing to try (the request waits for a check to bring one back).
        #expect(balancer.pick(loads([0, 0, 0], down: [0, 1, 2]), triesDownServers: false) == .exhausted)
        #expect(balancer.pick(loads([0, 0, 0], down: [1, 2]), excluding: [0], triesDownServers: false) == .exhausted)
    }

    @Test func fullUpServersMeanWaitNotADownServer() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 2)
        // Server 0 is up and full, server 1 is down with free slots: wait for server 0.
        #expect(balancer.pick(loads([1, 0], down: [1], capacity: [1, 4])) == .full)
        // Once server 0 has failed this request, the down server is the only one left to try.
        #expect(balancer.pick(loads([1, 0], down: [1], capacity: [1, 4]), excluding: [0]) == .server(1))
    }

    @Test func fullAndExhaustedAreDistinguished() {
        var balancer = Balancer(strategy: .roundRobin, serverCount: 2)
        #expect(balancer.pick(loads([1, 1], capacity: [1, 1])) == .full)
        #expect(balancer.pick(loads([0, 1], capacity: [1, 1]), excluding: [0]) == .full)
        #expect(balancer.pick(loads([0, 0], capacity: [1, 1]), excluding: [0, 1]) == .exhausted)
        #expect(balancer.pick(loads([0, 1], capacity: [1, 1])) == .server(0))
    }

    @Test func manyServersUseTwoRandomChoicesAndAvoidTheBusyOnes() {
        let count = 16
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: count, seed: 42)
        // Half the servers are very busy: with two choices a busy one wins only if both samples are busy
        // (about a quarter of picks), so most picks land on idle servers, and every idle server gets some.
        let inFlight = (0..<count).map { $0 < 8 ? 0 : 50 }
        var hits = Array(repeating: 0, count: count)
        for _ in 0..<4000 {
            guard case let .server(index) = balancer.pick(loads(inFlight)) else { continue }
            hits[index] += 1
        }
        let idleHits = hits[0..<8].reduce(0, +)
        #expect(idleHits > 2600 && idleHits < 3400)
        #expect(hits[0..<8].allSatisfy { $0 > 200 })
    }
}
