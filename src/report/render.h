/* SPDX-License-Identifier: MIT */
/*
 * Helpers the renderers share to read a report model (paths like
 * "duration_ms.p95") and format its values.
 */
#ifndef ET_REPORT_RENDER_H
#define ET_REPORT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include "report/report_int.h"

struct json_object *et__rj(struct json_object *o, const char *path);
const char *et__rs(struct json_object *o, const char *path);
bool et__rnum(struct json_object *o, const char *path, double *out);
int64_t et__rint(struct json_object *o, const char *path);
/* "74.5%", "81.4s", a fixed-point number; "-" when null or absent. */
void et__fmt_rate(struct json_object *o, const char *path, char out[24]);
void et__fmt_ms(struct json_object *o, const char *path, char out[24]);
void et__fmt_num(struct json_object *o, const char *path, int decimals,
                 char out[24]);
/* The agent's name, or "(none)". */
const char *et__agent_shown(struct json_object *o, const char *path);
/* What the report's checkpoint proves and how to check it, one sentence
 * (depends on whether the model carries a signed note). Static text. */
const char *et__checkpoint_sentence(struct json_object *m);
/* A trend object as a sentence naming the days it rests on. */
void et__trend_text(struct json_object *tr, char *out, size_t cap);

#endif /* ET_REPORT_RENDER_H */
