#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type recio_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_config is variadic, which Swift cannot import. Turns off SQLite's memory statistics
/// (sqlite3_memory_used and the soft heap limit, which nothing here uses), whose global mutex is
/// otherwise taken on every allocation. Only valid before SQLite initializes; returns SQLITE_MISUSE after.
static inline int recio_sqlite_disable_memory_statistics(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
