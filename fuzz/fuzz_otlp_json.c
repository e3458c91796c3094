/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the OTLP/JSON decoder and the span and log mapping on
 * arbitrary bytes: the first byte picks traces or logs. Decoding either
 * fails with ET_EINPUT/ET_ETOOBIG or gives items the mapping accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/otlp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *items = NULL;
    struct et__otlp_plan p;
    struct et_error err = ET_ERROR_INIT;
    enum et_otlp_signal sig;
    int rc;

    if (size < 1)
        return 0;
    sig = data[0] & 1 ? ET_OTLP_LOGS : ET_OTLP_TRACES;
    rc = et__otlp_decode_json(sig, (const char *)data + 1, size - 1, &items,
                              &err);
    if (rc) {
        if (rc != ET_EINPUT && rc != ET_ETOOBIG && rc != ET_ENOMEM)
            abort();
        if (!err.msg[0])
            abort(); /* every refusal says why */
        return 0;
    }
    et__otlp_plan_init(&p);
    rc = sig == ET_OTLP_LOGS ? et__otlp_map_logs(items, NULL, NULL, &p, &err)
                             : et__otlp_map_spans(items, NULL, NULL, &p, &err);
    if (rc && rc != ET_ENOMEM)
        abort();
    if (!rc && p.accepted + p.rejected + p.duplicates !=
                   json_object_array_length(items))
        abort(); /* every item is accounted for */
    et__otlp_plan_release(&p);
    json_object_put(items);
    return 0;
}
