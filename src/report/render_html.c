/* SPDX-License-Identifier: MIT */
/* stub */
#include "base/setup.h"
#include "report/report_int.h"
int et__report_html(struct json_object *m, struct et_buf *out)
{
    ET_UNUSED(m);
    return et_buf_addstr(out, "<html></html>\n");
}
