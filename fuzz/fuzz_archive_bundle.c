/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the archive bundle reader (a parser of outside
 * input: bundles are copied between machines): arbitrary bytes either
 * verify (against the key in their own manifest) or fail with a status a
 * caller expects and a report that says why; never a crash or a leak.
 */
#include "base/setup.h"
#include "retention/retention_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_archive_report rep;
    int rc = et__archive_verify_mem(data, size, &rep, &err);

    if (rc == ET_OK) {
        if (rep.events < rep.executions)
            ET_BUG("a verified record without events");
        return 0;
    }
    if (rc != ET_EINPUT && rc != ET_EINTEGRITY && rc != ET_ENOMEM &&
        rc != ET_ETOOBIG)
        ET_BUG("unexpected status");
    if (!err.msg[0])
        ET_BUG("failure without a message");
    return 0;
}
