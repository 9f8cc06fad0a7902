import Testing
@testable import DatelineServer

/// The connection's life as a value: transitions and the actions they return. Pure.
@Suite struct ConnectionStateMachineTests {
    @Test func requestsRunOneAtATimeAndReadingPausesMeanwhile() {
        var machine = ConnectionStateMachine()
        #expect(machine.takesLines)
        let r1 = machine.read(queuedLines: 0, writable: true)
        #expect(r1)
        machine.startRequest()
        #expect(!machine.takesLines && machine.inRequest)
        let r2 = machine.read(queuedLines: 0, writable: true)
        #expect(!r2)
        #expect(machine.readHeld)
        let r3 = machine.resumeReading(queuedLines: 0, writable: true)
        #expect(!r3, "no read while the request runs")
        let r4 = machine.finishRequest()
        #expect(r4 == .takeNextLines)
        let r5 = machine.resumeReading(queuedLines: 1, writable: true)
        #expect(!r5, "queued lines first")
        let r6 = machine.resumeReading(queuedLines: 0, writable: false)
        #expect(!r6, "not while the client takes no output")
        let r7 = machine.resumeReading(queuedLines: 0, writable: true)
        #expect(r7)
        #expect(!machine.readHeld)
        let r8 = machine.finishRequest()
        #expect(r8 == .nothing, "a second finish changes nothing")
    }

    @Test func endOfInputClosesOnlyWhenEverythingIsAnswered() {
        var machine = ConnectionStateMachine()
        machine.startRequest()
        machine.inputClosed()
        let r9 = machine.closeIfFinishedAfterEndOfInput(queuedLines: 0, subscriptions: 0)
        #expect(!r9, "a request is in progress")
        let r10 = machine.finishRequest()
        #expect(r10 == .takeNextLines)
        let r11 = machine.closeIfFinishedAfterEndOfInput(queuedLines: 2, subscriptions: 0)
        #expect(!r11, "lines still wait")
        let r12 = machine.closeIfFinishedAfterEndOfInput(queuedLines: 0, subscriptions: 1)
        #expect(!r12, "a subscription still streams")
        let r13 = machine.closeIfFinishedAfterEndOfInput(queuedLines: 0, subscriptions: 0)
        #expect(r13)
        #expect(machine.isClosed)
    }

    @Test func stoppingAnswersTheRequestInFlightThenCloses() {
        var idle = ConnectionStateMachine()
        let r14 = idle.beginStopping()
        #expect(r14 == .announce(closeNow: true))
        #expect(idle.isClosed)
        let r15 = idle.beginStopping()
        #expect(r15 == .nothing)

        var busy = ConnectionStateMachine()
        busy.startRequest()
        let r16 = busy.beginStopping()
        #expect(r16 == .announce(closeNow: false))
        #expect(busy.isStopping && busy.inRequest && !busy.takesLines && !busy.isClosed)
        let r17 = busy.beginStopping()
        #expect(r17 == .nothing, "announced once")
        let r18 = busy.finishRequest()
        #expect(r18 == .closeAfterFlush)
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
        let readAfterClose = machine.read(queuedLines: 0, writable: true)
        #expect(!machine.authenticated && machine.isClosed && !readAfterClose)
        #expect(!machine.readHeld, "a closed connection owes no read")
    }
}
