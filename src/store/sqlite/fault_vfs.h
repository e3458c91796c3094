/* SPDX-License-Identifier: MIT */
/*
 * A SQLite VFS shim for the reliability tests (docs/RELIABILITY.md, "Fault
 * and crash injection"): with ET_TEST_IO_FAULT=N:KIND in the environment,
 * the Nth write point (a write, sync or truncate of any of the store's
 * files: database, WAL, journal) fails or ends the process:
 *   eio    the call fails with an I/O error (SQLITE_IOERR_WRITE/FSYNC/...)
 *   full   the call fails as on a full disk (SQLITE_FULL)
 *   short  a write stores half its bytes, then fails with an I/O error
 *   crash  the process ends (_exit 137) before the call, as under kill -9
 *   torn   a write stores half its bytes, then the process ends
 * Without the variable (or on a malformed one) nothing is wrapped and the
 * default VFS is used as before.
 */
#ifndef ET_STORE_SQLITE_FAULT_VFS_H
#define ET_STORE_SQLITE_FAULT_VFS_H

/* The VFS name to open the store with: NULL for the default, or the shim's
 * (registered on first use). */
const char *et__sqlite_vfs(void);

#endif /* ET_STORE_SQLITE_FAULT_VFS_H */
