/* SPDX-License-Identifier: MIT */
/*
 * YAML files (config.yaml, retention.yaml) read with libyaml into a json-c
 * tree, remembering where each node came from so that a bad value can be
 * reported as "NAME:LINE:COL: message".
 *
 * Mapping -> object, sequence -> array. Plain scalars: decimal integers
 * (int64) -> int, true/false -> boolean, null/~/empty -> null, other numbers
 * -> double, anything else -> string. Quoted and block scalars are always
 * strings. Refused: duplicate keys, non-scalar keys, aliases, tags other than
 * the core ones, more than one document, files over 1 MiB.
 */
#ifndef ET_CONFIG_YAML_H
#define ET_CONFIG_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "exectrail/error.h"

struct et_yaml_doc;

/* Parse a file / a buffer. On error *out is NULL and err names the place. */
ET_NODISCARD int et_yaml_load_file(const char *path, struct et_yaml_doc **out,
                                   struct et_error *err);
ET_NODISCARD int et_yaml_load_mem(const char *buf, size_t len,
                                  const char *name, struct et_yaml_doc **out,
                                  struct et_error *err);
/* The root node (an empty object for an empty document); borrowed. */
struct json_object *et_yaml_root(const struct et_yaml_doc *d);
/* The name given at load time (the path for files). */
const char *et_yaml_name(const struct et_yaml_doc *d);
/* 1-based source position of a node of this document; false if unknown. */
bool et_yaml_pos(const struct et_yaml_doc *d, const struct json_object *node,
                 unsigned *line, unsigned *col);
/*
 * Fill err with "NAME:LINE:COL: " + message for node (or "NAME: " when the
 * node has no position) and return ET_EINPUT.
 */
int et_yaml_error(const struct et_yaml_doc *d, const struct json_object *node,
                  struct et_error *err, const char *fmt, ...) ET_PRINTF(4, 5);
void et_yaml_free(struct et_yaml_doc *d);

#endif /* ET_CONFIG_YAML_H */
