/// The shared test support (temporary folders, the datagram receiver standing in for systemd's
/// sockets), visible to every file here.
@_exported import RecioTestSupport
