/* SPDX-License-Identifier: MIT */
/* <data dir>/config.yaml: load it (or an empty mapping) and hand out sections. */
#include "base/setup.h"
#include "config/config.h"

#include <limits.h>
#include <stdio.h>

int et_config_load(const char *data_dir, struct et_yaml_doc **out,
                   struct et_error *err)
{
    char path[PATH_MAX];
    struct et_error e = ET_ERROR_INIT;
    int n, rc;

    *out = NULL;
    n = snprintf(path, sizeof(path), "%s/%s", data_dir, ET_CONFIG_FILE);
    if (n < 0 || (size_t)n >= sizeof(path))
        return et_error_set(err, ET_EINVAL, "config path too long");
    rc = et_yaml_load_file(path, out, &e);
    if (rc == ET_ENOTFOUND)
        return et_yaml_load_mem("", 0, path, out, err);
    if (rc && err)
        *err = e;
    return rc;
}

struct json_object *et_config_section(const struct et_yaml_doc *d,
                                      const char *name)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(et_yaml_root(d), name, &v))
        return NULL;
    return v;
}

int et_config_section_checked(const struct et_yaml_doc *d, const char *name,
                              struct json_object **out, struct et_error *err)
{
    struct json_object *root = et_yaml_root(d);

    *out = NULL;
    if (!json_object_is_type(root, json_type_object))
        return et_yaml_error(d, root, err,
                             "expected a mapping of sections at the top");
    *out = et_config_section(d, name);
    if (*out && !json_object_is_type(*out, json_type_object))
        return et_yaml_error(d, *out, err, "%s: expected a mapping", name);
    return ET_OK;
}
