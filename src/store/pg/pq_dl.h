/* SPDX-License-Identifier: MIT */
/*
 * libpq, loaded when a PostgreSQL store is first opened rather than linked:
 * linked, libpq and what it needs (Kerberos, LDAP, SASL, GnuTLS: 20
 * libraries) cost every exectrail process about 14 ms of start-up, also
 * the hook and the lifecycle verbs on SQLite, which never use it
 * (docs/PERFORMANCE.md "Process start-up"). The backend's files include
 * this header through pg_int.h and call the PQ functions by their names,
 * which the macros below turn into calls through et__pq.
 */
#ifndef ET_STORE_PG_PQ_DL_H
#define ET_STORE_PG_PQ_DL_H

#include <libpq-fe.h>
#include <stdatomic.h>

#include "exectrail/error.h"

#define ET__PQ_FUNCS(X)                                                        \
    X(PQclear) X(PQcmdTuples) X(PQconnectdb) X(PQenterPipelineMode)           \
    X(PQerrorMessage) X(PQescapeIdentifier) X(PQexec) X(PQexecParams)         \
    X(PQexecPrepared) X(PQexitPipelineMode) X(PQfinish) X(PQfname)            \
    X(PQfreemem) X(PQgetResult) X(PQgetisnull) X(PQgetlength) X(PQgetvalue)   \
    X(PQnfields) X(PQntuples) X(PQpipelineStatus) X(PQpipelineSync)           \
    X(PQprepare) X(PQputCopyData) X(PQputCopyEnd) X(PQresultErrorField)        \
    X(PQresultStatus)                      \
    X(PQsendPrepare) X(PQsendQueryParams) X(PQsendQueryPrepared)              \
    X(PQsetNoticeReceiver) X(PQstatus)

struct et__pq {
#define ET__PQ_PTR(f) __typeof__(f) *f;
    ET__PQ_FUNCS(ET__PQ_PTR)
#undef ET__PQ_PTR
};

extern struct et__pq et__pq;

/*
 * Requests that wait for the server's answer (a round trip each), counted
 * for ET_STORE_STATS: every PQexec, PQexecParams, PQexecPrepared,
 * PQprepare, pipeline sync and COPY end. Statements sent into a pipeline
 * are not counted; its sync is. For the whole process (serve's threads
 * each have a connection), so atomic.
 */
extern _Atomic unsigned long long et__pq_round_trips;

static inline void et__pq_count(void)
{
    atomic_fetch_add_explicit(&et__pq_round_trips, 1, memory_order_relaxed);
}

/* Load libpq (libpq.so.5) once; ET_EUNAVAIL, saying what to install,
 * when it cannot be loaded. Safe to call from any thread. */
int et__pq_load(struct et_error *err);

/* (pq_dl.c itself, which fills et__pq, sees the real names) */
#ifndef ET__PQ_LOADER
#define PQclear (et__pq.PQclear)
#define PQcmdTuples (et__pq.PQcmdTuples)
#define PQconnectdb (et__pq.PQconnectdb)
#define PQenterPipelineMode (et__pq.PQenterPipelineMode)
#define PQerrorMessage (et__pq.PQerrorMessage)
#define PQescapeIdentifier (et__pq.PQescapeIdentifier)
#define PQexec (et__pq_count(), et__pq.PQexec)
#define PQexecParams (et__pq_count(), et__pq.PQexecParams)
#define PQexecPrepared (et__pq_count(), et__pq.PQexecPrepared)
#define PQexitPipelineMode (et__pq.PQexitPipelineMode)
#define PQfinish (et__pq.PQfinish)
#define PQfname (et__pq.PQfname)
#define PQfreemem (et__pq.PQfreemem)
#define PQgetResult (et__pq.PQgetResult)
#define PQgetisnull (et__pq.PQgetisnull)
#define PQgetlength (et__pq.PQgetlength)
#define PQgetvalue (et__pq.PQgetvalue)
#define PQnfields (et__pq.PQnfields)
#define PQntuples (et__pq.PQntuples)
#define PQpipelineStatus (et__pq.PQpipelineStatus)
#define PQpipelineSync (et__pq_count(), et__pq.PQpipelineSync)
#define PQprepare (et__pq_count(), et__pq.PQprepare)
#define PQputCopyData (et__pq.PQputCopyData)
#define PQputCopyEnd (et__pq_count(), et__pq.PQputCopyEnd)
#define PQresultErrorField (et__pq.PQresultErrorField)
#define PQresultStatus (et__pq.PQresultStatus)
#define PQsendPrepare (et__pq.PQsendPrepare)
#define PQsendQueryParams (et__pq.PQsendQueryParams)
#define PQsendQueryPrepared (et__pq.PQsendQueryPrepared)
#define PQsetNoticeReceiver (et__pq.PQsetNoticeReceiver)
#define PQstatus (et__pq.PQstatus)
#endif

#endif /* ET_STORE_PG_PQ_DL_H */
