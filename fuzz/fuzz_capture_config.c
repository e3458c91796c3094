/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for config.yaml's capture: section and the derivation
 * under the table it builds: arbitrary bytes either give a table (with
 * which fixed actions, and a Bash action whose command is the input
 * itself, derive without error) or fail with ET_EINPUT / ET_ENOMEM, no
 * table and a message naming the input.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "config/yaml.h"
#include "model/derive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, enum et__derived kind, const char *item, size_t len)
{
    (void)kind;
    if (!item || !len)
        ET_BUG("empty derived item");
    (*(size_t *)ctx)++;
    return 0;
}

static void derive_some(const struct et__derive_table *tab, const char *cmd)
{
    static const char *const actions[] = {
        "{\"tool\":\"Write\",\"input\":{\"file_path\":\"a\"}}",
        "{\"tool\":\"MyWriter\",\"input\":{\"target\":\"b\",\"path\":\"c\"}}",
        "{\"tool\":\"shell\",\"input\":{\"cmd\":\"grpcurl h:1 list; gh pr "
        "list\"}}",
        "{\"tool\":\"Fetch\",\"input\":\"https://h/\"}",
        "{\"tool\":\"mcp__s__t\"}"};
    size_t n = 0;

    for (size_t i = 0; i < ET_ARRAY_SIZE(actions); i++) {
        struct json_object *a = json_tokener_parse(actions[i]);

        if (a && et__derive_action_with(tab, a, count, &n) != 0)
            ET_BUG("derivation failed");
        json_object_put(a);
    }
    {
        struct json_object *a = json_object_new_object();

        if (!a)
            return;
        json_object_object_add(a, "tool", json_object_new_string("Bash"));
        json_object_object_add(a, "input", json_object_new_string(cmd));
        (void)et__derive_action_with(tab, a, count, &n);
        json_object_put(a);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_yaml_doc *d = NULL;
    struct et__derive_table *tab = NULL;
    char *cmd;
    int rc = et_yaml_load_mem((const char *)data, size, "fuzz.yaml", &d, &err);

    if (rc)
        return 0;
    rc = et__derive_table_load(
        d, json_object_object_get(et_yaml_root(d), "capture"), &tab, &err);
    if (rc) {
        if (tab)
            ET_BUG("failed load left a table");
        if (rc != ET_EINPUT && rc != ET_ENOMEM)
            ET_BUG("unexpected status");
        if (rc == ET_EINPUT && strncmp(err.msg, "fuzz.yaml", 9) != 0)
            ET_BUG("error does not name the input");
        et_yaml_free(d);
        return 0;
    }
    cmd = et__malloc(size + 1);
    if (cmd) {
        memcpy(cmd, data, size);
        cmd[size] = '\0';
        derive_some(tab, cmd);
        et__free(cmd);
    }
    et__derive_table_free(tab);
    et_yaml_free(d);
    return 0;
}
