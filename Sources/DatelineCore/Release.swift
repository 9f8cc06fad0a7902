/// The release of Dateline the executables report with `--version`.
public enum DatelineRelease {
    public static let version = "0.1.0"
}
