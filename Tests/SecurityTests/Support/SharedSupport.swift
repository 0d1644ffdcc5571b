/// The shared test support (PostgreSQL server, temporary folders), visible to every file here.
@_exported import RecioTestSupport
