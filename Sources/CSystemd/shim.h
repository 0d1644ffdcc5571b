#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>

/// sd_journal_sendv takes pre-formatted "FIELD=value" iovecs; it is the variadic-free entry point
/// Swift can call. This wrapper only fixes the argument types.
static inline int recio_journal_sendv(const struct iovec *iov, int n) { return sd_journal_sendv(iov, n); }
