import ArgumentParser
import DatelineClient
import Foundation

/// `--server HOST:PORT`: ask a running `datelined` instead of opening the log file.
struct ServerOption: ParsableArguments {
    @Option(help: ArgumentHelp("Ask the datelined at this address (HOST:PORT) instead of opening --db.", valueName: "HOST:PORT"))
    var server: ServerAddress?

    func connect() throws -> ProtocolClient {
        guard let server else { throw ValidationFailure("no --server given") }
        return try Self.connect(server)
    }

    /// A connection to `server`, or a failure that says in one sentence what to check.
    static func connect(_ server: ServerAddress) throws -> ProtocolClient {
        do {
            return try ProtocolClient(server)
        } catch let failure as LineClient.Failure {
            if case .connect(_, _, let code) = failure {
                throw ValidationFailure("cannot reach datelined at \(server) (\(String(cString: strerror(code)).lowercased())): is datelined running?")
            }
            throw ValidationFailure("cannot reach datelined at \(server) (\(failure)): is datelined running?")
        } catch {
            throw ValidationFailure("cannot talk to datelined at \(server): \(error)")
        }
    }
}

extension ServerAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
