/* SPDX-License-Identifier: MIT */
/* The umbrella header of libexectrail. */
#ifndef ET_EXECTRAIL_EXECTRAIL_H
#define ET_EXECTRAIL_EXECTRAIL_H

#include "exectrail/analysis.h"
#include "exectrail/error.h"
#include "exectrail/ledger.h"
#include "exectrail/note.h"
#include "exectrail/otlp.h"
#include "exectrail/query.h"
#include "exectrail/record.h"
#include "exectrail/report.h"
#include "exectrail/retention.h"
#include "exectrail/trail.h"
#include "exectrail/witness.h"

#endif /* ET_EXECTRAIL_EXECTRAIL_H */
