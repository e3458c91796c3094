/* SPDX-License-Identifier: MIT */
/*
 * What both OTLP fuzz targets check once their decoder has run: a refusal
 * is ET_EINPUT/ET_ETOOBIG/ET_ENOMEM and says why; decoded items go through
 * the span or log mapping, which accounts for every one of them.
 */
#ifndef ET_FUZZ_OTLP_CHECK_H
#define ET_FUZZ_OTLP_CHECK_H

#include <stdlib.h>

#include "ingest/otlp_int.h"

static inline void otlp_fuzz_check(enum et_otlp_signal sig, int rc,
                                   struct json_object *items,
                                   const struct et_error *err)
{
    struct et__otlp_plan p;
    struct et_error merr = ET_ERROR_INIT;

    if (rc) {
        if (rc != ET_EINPUT && rc != ET_ETOOBIG && rc != ET_ENOMEM)
            abort();
        if (!err->msg[0])
            abort(); /* every refusal says why */
        return;
    }
    et__otlp_plan_init(&p);
    rc = sig == ET_OTLP_LOGS ? et__otlp_map_logs(items, NULL, NULL, &p, &merr)
                             : et__otlp_map_spans(items, NULL, NULL, &p, &merr);
    if (rc && rc != ET_ENOMEM)
        abort();
    if (!rc && p.accepted + p.rejected + p.duplicates !=
                   json_object_array_length(items))
        abort(); /* every item is accounted for */
    et__otlp_plan_release(&p);
    json_object_put(items);
}

#endif /* ET_FUZZ_OTLP_CHECK_H */
