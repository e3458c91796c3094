/* SPDX-License-Identifier: MIT */
/*
 * The installation's config file, <data dir>/config.yaml (optional: a
 * missing file reads as an empty mapping). Each subsystem reads its own
 * top-level section: `security:` (redaction and classification), `analysis:`
 * (success criteria and thresholds). The retention policy has its own file,
 * <data dir>/retention.yaml. docs/CONFIG.md describes every section.
 */
#ifndef ET_CONFIG_CONFIG_H
#define ET_CONFIG_CONFIG_H

#include "config/yaml.h"

#define ET_CONFIG_FILE "config.yaml"

/* Load data_dir/config.yaml; errors name the file, line and column. */
ET_NODISCARD int et_config_load(const char *data_dir,
                                struct et_yaml_doc **out,
                                struct et_error *err);
/*
 * A top-level section (borrowed), or NULL when absent or null. A section
 * that is present but not a mapping is an error the caller reports with
 * et_yaml_error; use et_config_section_checked for that.
 */
struct json_object *et_config_section(const struct et_yaml_doc *d,
                                      const char *name);
/* Like et_config_section, but fails (ET_EINPUT) when it is not a mapping. */
ET_NODISCARD int et_config_section_checked(const struct et_yaml_doc *d,
                                           const char *name,
                                           struct json_object **out,
                                           struct et_error *err);

#endif /* ET_CONFIG_CONFIG_H */
