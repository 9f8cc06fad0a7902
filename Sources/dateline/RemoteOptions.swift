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
        } catch {
            throw unreachable(server, error)
        }
    }

    /// `connect` for async commands.
    static func connect(_ server: ServerAddress) async throws -> ProtocolClient {
        do {
            return try await ProtocolClient.connect(host: server.host, port: server.port)
        } catch {
            throw unreachable(server, error)
        }
    }

    private static func unreachable(_ server: ServerAddress, _ error: Error) -> ValidationFailure {
        if let failure = error as? LineClient.Failure {
            if case .connect(_, _, let code) = failure {
                return ValidationFailure("cannot reach datelined at \(server) (\(String(cString: strerror(code)).lowercased())): is datelined running?")
            }
            return ValidationFailure("cannot reach datelined at \(server) (\(failure)): is datelined running?")
        }
        return ValidationFailure("cannot talk to datelined at \(server): \(error)")
    }
}

extension ServerAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
