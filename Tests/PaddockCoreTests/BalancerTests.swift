import PaddockConfig
import Testing
@testable import PaddockCore

@Suite struct BalancerTests {
    private func loads(_ inFlight: [Int], weights: [Int]? = nil, down: Set<Int> = []) -> [ServerLoad] {
        inFlight.enumerated().map { index, count in
            ServerLoad(inFlight: count, weight: weights?[index] ?? 1, isUp: !down.contains(index))
        }
    }

    @Test func leastOutstandingPicksTheIdlestServer() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 3)
        #expect(balancer.pick(loads([4, 1, 3])) == 1)
        #expect(balancer.pick(loads([0, 5, 5])) == 0)
    }

    @Test func leastOutstandingSpreadsTiesInsteadOfPilingOnTheFirst() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 3)
        let picks = (0..<6).compactMap { _ in balancer.pick(loads([0, 0, 0])) }
        #expect(picks.sorted() == [0, 0, 1, 1, 2, 2])
    }

    @Test func leastOutstandingHonoursWeights() {
        var balancer = Balancer(strategy: .leastOutstanding, serverCount: 2)
        // (2+1)/3 = 1 < (0+1)/1 is false: 1 == 1, tie; (3+1)/3 > 1/1 → server 1.
        #expect(balancer.pick(loads([3, 0], weights: [3, 1])) == 1)
        #expect(balancer.pick(loads([1, 1], weights: [3, 1])) == 0)
    }

    @Test func roundRobinFollowsWeightsSmoothly() {
        var balancer = Balancer(strategy: .roundRobin, serverCount: 3)
        let picks = (0..<7).compactMap { _ in balancer.pick(loads([0, 0, 0], weights: [5, 1, 1])) }
        #expect(picks == [0, 0, 1, 0, 2, 0, 0])
    }

    @Test(arguments: [BalanceStrategy.leastOutstanding, .roundRobin])
    func triedServersAreSkippedUntilNoneRemain(strategy: BalanceStrategy) {
        var balancer = Balancer(strategy: strategy, serverCount: 3)
        let current = loads([0, 0, 0])
        var tried: [Int] = []
        for _ in 0..<3 {
            let pick = balancer.pick(current, excluding: tried)
            #expect(pick != nil && !tried.contains(pick!))
            tried.append(pick!)
        }
        #expect(balancer.pick(current, excluding: tried) == nil)
    }

    @Test(arguments: [BalanceStrategy.leastOutstanding, .roundRobin])
    func downServersAreUsedOnlyWhenNoServerIsUp(strategy: BalanceStrategy) {
        var balancer = Balancer(strategy: strategy, serverCount: 3)
        for _ in 0..<5 {
            #expect(balancer.pick(loads([9, 0, 0], down: [1, 2])) == 0)
        }
        let pick = balancer.pick(loads([0, 0, 0], down: [0, 1, 2]), excluding: [0])
        #expect(pick == 1 || pick == 2)
    }
}
