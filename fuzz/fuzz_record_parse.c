/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the record model on arbitrary bytes: parse + validate + decode, and
 * for every accepted record, struct -> JSON -> struct -> JSON must be
 * stable (the second JSON equals the first).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_record *r = NULL, *r2 = NULL;
    struct et_error err = ET_ERROR_INIT;
    char *j1 = NULL, *j2 = NULL;
    size_t l1 = 0, l2 = 0;

    if (et_record_parse((const char *)data, size, 0, &r, &err) != ET_OK)
        return 0;
    if (et_record_to_json(r, 0, &j1, &l1, &err) != ET_OK)
        abort(); /* an accepted record must be writable */
    if (et_record_parse(j1, l1, 0, &r2, &err) != ET_OK)
        abort(); /* and what we write must be accepted */
    if (et_record_to_json(r2, 0, &j2, &l2, &err) != ET_OK)
        abort();
    if (l1 != l2 || memcmp(j1, j2, l1) != 0)
        abort(); /* and stable */
    et_record_free_string(j1);
    et_record_free_string(j2);
    et_record_free(r);
    et_record_free(r2);
    return 0;
}
