import Testing
@testable import DatelineServer

/// The connection's life as a value: transitions and the actions they return. Pure.
@Suite struct ConnectionStateMachineTests {
    @Test func requestsRunOneAtATimeAndReadingPausesMeanwhile() {
        var machine = ConnectionStateMachine()
        #expect(machine.takesLines)
        #expect(machine.read(queuedLines: 0, writable: true))
        machine.startRequest()
        #expect(!machine.takesLines && machine.inRequest)
        #expect(!machine.read(queuedLines: 0, writable: true))
        #expect(machine.readHeld)
        #expect(!machine.resumeReading(queuedLines: 0, writable: true), "no read while the request runs")
        #expect(machine.finishRequest() == .takeNextLines)
        #expect(!machine.resumeReading(queuedLines: 1, writable: true), "queued lines first")
        #expect(!machine.resumeReading(queuedLines: 0, writable: false), "not while the client takes no output")
        #expect(machine.resumeReading(queuedLines: 0, writable: true))
        #expect(!machine.readHeld)
        #expect(machine.finishRequest() == .nothing, "a second finish changes nothing")
    }

    @Test func endOfInputClosesOnlyWhenEverythingIsAnswered() {
        var machine = ConnectionStateMachine()
        machine.startRequest()
        machine.inputClosed()
        #expect(!machine.closeIfFinishedAfterEndOfInput(queuedLines: 0, subscriptions: 0), "a request is in progress")
        #expect(machine.finishRequest() == .takeNextLines)
        #expect(!machine.closeIfFinishedAfterEndOfInput(queuedLines: 2, subscriptions: 0), "lines still wait")
        #expect(!machine.closeIfFinishedAfterEndOfInput(queuedLines: 0, subscriptions: 1), "a subscription still streams")
        #expect(machine.closeIfFinishedAfterEndOfInput(queuedLines: 0, subscriptions: 0))
        #expect(machine.isClosed)
    }

    @Test func stoppingAnswersTheRequestInFlightThenCloses() {
        var idle = ConnectionStateMachine()
        #expect(idle.beginStopping() == .announce(closeNow: true))
        #expect(idle.isClosed)
        #expect(idle.beginStopping() == .nothing)

        var busy = ConnectionStateMachine()
        busy.startRequest()
        #expect(busy.beginStopping() == .announce(closeNow: false))
        #expect(busy.isStopping && busy.inRequest && !busy.takesLines && !busy.isClosed)
        #expect(busy.beginStopping() == .nothing, "announced once")
        #expect(busy.finishRequest() == .closeAfterFlush)
        #expect(busy.isClosed)
    }

    @Test func wrongTokensWaitLongerEachTimeThenClose() {
        var machine = ConnectionStateMachine()
        let verdicts = (1...ConnectionStateMachine.maxTokenFailures).map { _ in machine.tokenRefused() }
        #expect(verdicts == [.refuseAfter(milliseconds: 100), .refuseAfter(milliseconds: 200),
                             .refuseAfter(milliseconds: 400), .refuseAfter(milliseconds: 800), .refuseAndClose])
        #expect(!machine.authenticated)
        machine.authenticate()
        #expect(machine.authenticated)
        machine.close()
        #expect(!machine.authenticated && machine.isClosed && !machine.read(queuedLines: 0, writable: true))
        #expect(!machine.readHeld, "a closed connection owes no read")
    }
}
