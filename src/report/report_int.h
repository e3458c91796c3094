/* SPDX-License-Identifier: MIT */
/*
 * Private parts of the report module: the renderers, which all read the one
 * JSON model a report is computed into. The rollups the reports read are
 * kept by the projection (src/trail/rollup.h).
 */
#ifndef ET_REPORT_REPORT_INT_H
#define ET_REPORT_REPORT_INT_H

#include <stdbool.h>
#include <json-c/json.h>

#include "base/buf.h"
#include "store/store.h"
#include "trail/rollup.h"

struct et_trail;

/* Renderers of a computed report model (report.c documents its shape). */
struct et_report_style {
    bool color;
    unsigned width;
};
ET_NODISCARD int et__report_text(struct json_object *m,
                                 const struct et_report_style *st,
                                 struct et_buf *out);
ET_NODISCARD int et__report_md(struct json_object *m, struct et_buf *out);
ET_NODISCARD int et__report_html(struct json_object *m, struct et_buf *out);

#endif /* ET_REPORT_REPORT_INT_H */
