#include <sqlite3.h>

/// sqlite3_config is variadic, which Swift cannot call; this wrapper fixes the one form Quarry uses.
static inline int quarry_sqlite3_config_multithread(void) {
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}

/// SQLITE_TRANSIENT is a macro over a cast of -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type quarry_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}
