/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the OTLP/JSON decoder and the span and log mapping on
 * arbitrary bytes: the first byte picks traces or logs (checks in
 * otlp_check.h).
 */
#include <stdint.h>

#include "otlp_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *items = NULL;
    struct et_error err = ET_ERROR_INIT;
    enum et_otlp_signal sig;
    int rc;

    if (size < 1)
        return 0;
    sig = data[0] & 1 ? ET_OTLP_LOGS : ET_OTLP_TRACES;
    rc = et__otlp_decode_json(sig, (const char *)data + 1, size - 1, &items,
                              &err);
    otlp_fuzz_check(sig, rc, items, &err);
    return 0;
}
