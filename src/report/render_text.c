/* SPDX-License-Identifier: MIT */
/* stub */
#include "base/setup.h"
#include "report/report_int.h"
int et__report_text(struct json_object *m, const struct et_report_style *st,
                    struct et_buf *out)
{
    ET_UNUSED(m);
    ET_UNUSED(st);
    return et_buf_addstr(out, "text\n");
}
int et__report_md(struct json_object *m, struct et_buf *out)
{
    ET_UNUSED(m);
    return et_buf_addstr(out, "md\n");
}
