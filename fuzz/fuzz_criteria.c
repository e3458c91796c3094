/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for success criteria: arbitrary bytes are read as a
 * delegated prompt; every line of its success-criteria blocks is compiled
 * and evaluated in memory against a fixed execution, and the bytes are
 * also turned into a failure signature. Nothing may crash, leak or read
 * out of bounds; a signature always fits and is NUL-terminated.
 */
#include "base/setup.h"
#include "exectrail/analysis.h"
#include "exectrail/trail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char record[] =
    "{\"execution_id\":\"00000000-0000-4000-8000-000000000001\","
    "\"session_id\":\"s\",\"timestamp_start\":\"2025-01-16T10:00:00Z\","
    "\"timestamp_end\":\"2025-01-16T10:01:00Z\",\"duration_ms\":60000,"
    "\"agent_metadata\":{\"name\":\"a\",\"tools_available\":[\"Bash\"]},"
    "\"delegation\":{\"prompt_sent\":\"p\"},\"usage\":{\"cost\":0.5},"
    "\"execution\":{\"actions_taken\":[{\"sequence\":1,\"tool\":\"Bash\","
    "\"input\":\"make test\",\"success\":false,\"error\":\"exit 2\"}]},"
    "\"output\":{\"raw_response\":\"done \\u00e9\",\"files_modified\":"
    "[\"src/a.c\"]},\"issues\":[{\"type\":\"ERROR\",\"description\":\"x\"}]}";

static int one(void *ctx, const char *text, size_t len, unsigned line)
{
    enum et_criterion_result r;
    char *evidence = NULL;

    (void)ctx;
    (void)line;
    if (et_criterion_eval(text, len, record, sizeof(record) - 1, &r, &evidence,
                          NULL) == ET_OK) {
        if (r != ET_CRITERION_PASSED && r != ET_CRITERION_FAILED &&
            r != ET_CRITERION_UNKNOWN)
            ET_BUG("criterion result out of range");
        if (!evidence)
            ET_BUG("no evidence");
    }
    et_trail_free_string(evidence);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char sig[ET_SIGNATURE_MAX];
    size_t n;

    (void)et_criteria_from_prompt((const char *)data, size, one, NULL);
    n = et_signature("Bash", (const char *)data, size, sig, sizeof(sig));
    if (n >= sizeof(sig) || sig[n] != '\0')
        ET_BUG("signature does not fit");
    return 0;
}
