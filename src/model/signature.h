/* SPDX-License-Identifier: MIT */
/*
 * Failure signatures (docs/ANALYSIS.md "Signatures"): the one normalisation
 * rule behind et_signature (include/exectrail/analysis.h), here below every
 * user of it, so the projection's issue rollups, the stats and the analysis
 * group failures the same way.
 */
#ifndef ET_MODEL_SIGNATURE_H
#define ET_MODEL_SIGNATURE_H

#include "base/buf.h"

/* The signature of msg (tool may be NULL) into out (reset first). */
ET_NODISCARD int et__failure_signature(struct et_buf *out, const char *tool,
                                       const char *msg);

#endif /* ET_MODEL_SIGNATURE_H */
