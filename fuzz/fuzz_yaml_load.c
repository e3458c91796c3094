/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the YAML loader (config.yaml, retention.yaml):
 * arbitrary bytes either load into a tree whose every node serialises, or
 * fail with ET_EINPUT / ET_ENOMEM and a message naming the input.
 */
#include "base/setup.h"
#include "config/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d = NULL;
    int rc = et_yaml_load_mem((const char *)data, size, "fuzz.yaml", &d, &err);

    if (rc == ET_OK) {
        unsigned line, col;

        if (!d || !json_object_to_json_string(et_yaml_root(d)))
            ET_BUG("loaded document does not serialise");
        (void)et_yaml_pos(d, et_yaml_root(d), &line, &col);
        et_yaml_free(d);
        return 0;
    }
    if (d)
        ET_BUG("failed load left a document");
    if (rc != ET_EINPUT && rc != ET_ENOMEM)
        ET_BUG("unexpected status");
    if (rc == ET_EINPUT && strncmp(err.msg, "fuzz.yaml", 9) != 0)
        ET_BUG("error does not name the input");
    return 0;
}
