/* SPDX-License-Identifier: MIT */
/*
 * Store conformance: the same checks through src/store/store.h against
 * every compiled backend. argv[1] picks it: sqlite-file, sqlite-memory or
 * postgres (a connection string in $EXECTRAIL_TEST_PG; every test SKIPs,
 * saying so, without one). Each test gets a fresh store: a new file, a new
 * in-memory database, or a new PostgreSQL schema dropped at the end.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "exectrail/query.h"
#include "query/compile.h"
#include "store/store.h"
#include "t.h"

#ifdef ET_HAVE_POSTGRES
# include <libpq-fe.h>
#endif
#include <unistd.h>

static const char *backend = "sqlite-file";
static char target[1024];
static char schema[64];
static int serial;

/* ---- per-test stores ---- */

#ifdef ET_HAVE_POSTGRES
static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void pg_sql(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("EXECTRAIL_TEST_PG"));

    PQsetNoticeProcessor(c, quiet, NULL);
    if (PQstatus(c) == CONNECTION_OK)
        PQclear(PQexec(c, sql));
    PQfinish(c);
}
#endif

/* A fresh target for this test, or NULL (and the test skipped). */
static const char *fresh(void)
{
    serial++;
    if (!strcmp(backend, "sqlite-memory"))
        return ":memory:";
    if (!strcmp(backend, "postgres")) {
        const char *dsn = getenv("EXECTRAIL_TEST_PG");

#ifndef ET_HAVE_POSTGRES
        t_skip("built without PostgreSQL (libpq)");
        return NULL;
#endif
        if (!dsn || !*dsn) {
            t_skip("EXECTRAIL_TEST_PG is not set (tools/pg-test-cluster.sh "
                   "start gives one)");
            return NULL;
        }
        snprintf(schema, sizeof(schema), "et_conf_%ld_%d", (long)getpid(),
                 serial);
        snprintf(target, sizeof(target), "%s%soptions=-csearch_path%%3D%s", dsn,
                 strchr(dsn, '?') ? "&" : "?", schema);
        return target;
    }
    snprintf(target, sizeof(target), "%s/conf-%d.db", t_tmpdir(), serial);
    return target;
}

static void done(struct et_store *st)
{
    et_store_close(st);
#ifdef ET_HAVE_POSTGRES
    if (!strcmp(backend, "postgres") && schema[0]) {
        char sql[128];

        snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS %s CASCADE", schema);
        pg_sql(sql);
        schema[0] = '\0';
    }
#endif
}

static struct et_store *open_new(void)
{
    const char *t = fresh();
    struct et_store *st = NULL;
    struct et_error err = {0};
    int created = 0;

    if (!t)
        return NULL;
    if (et_store_open(t, ET_STORE_CREATE, &st, &created, &err)) {
        t_fail(__FILE__, __LINE__, "open %s: %s", backend, err.msg);
        return NULL;
    }
    if (!created)
        t_fail(__FILE__, __LINE__, "a new store was not reported created");
    return st;
}

/* ---- helpers ---- */

static const char *const ID1 = "11111111-aaaa-4aaa-8aaa-000000000001";
static const char *const ID2 = "11112222-bbbb-4bbb-8bbb-000000000002";
static const char *const ID3 = "11113333-cccc-4ccc-8ccc-000000000003";

static void leaf_of(const char *body, uint8_t out[ET_HASH_LEN])
{
    et_merkle_leaf_hash(body, strlen(body), out);
}

/* Append n events (bodies {"n":i}) to execution id, head saved; commits. */
static int append_events(struct et_store *st, const char *id, int n,
                         struct et_tree *tree, struct et_error *err)
{
    int rc = et_store_begin(st, true, err);

    if (!rc)
        rc = et_store_head_load(st, tree, err);
    for (int i = 0; !rc && i < n; i++) {
        char body[64];
        struct et_event_row ev;

        snprintf(body, sizeof(body), "{\"n\":%llu}",
                 (unsigned long long)tree->size);
        memset(&ev, 0, sizeof(ev));
        ev.seq = tree->size;
        ev.type = "execution.recorded";
        ev.execution_id = id;
        ev.ts_ns = 1700000000000000000LL + (int64_t)tree->size;
        leaf_of(body, ev.leaf);
        ev.body = body;
        ev.body_len = strlen(body);
        rc = et_store_append(st, &ev, err);
        if (!rc)
            et_tree_append(tree, ev.leaf);
    }
    if (!rc)
        rc = et_store_head_save(st, tree, err);
    if (!rc)
        rc = et_store_commit(st, err);
    else
        et_store_rollback(st);
    return rc;
}

static struct et_exec_row exec_row(const char *id, const char *agent,
                                   int64_t start_ns)
{
    struct et_exec_row r;

    memset(&r, 0, sizeof(r));
    r.execution_id = id;
    r.session_id = "sess-1";
    r.agent_name = agent;
    r.agent_version = "1.0";
    r.state = "completed";
    r.verification = "MATCH";
    r.completeness = "HIGH";
    r.start_ns = start_ns;
    r.end_ns = start_ns + 5000000;
    r.duration_ms = 5;
    r.n_actions = 2;
    r.n_failed_actions = 1;
    r.first_seq = 0;
    r.last_seq = 1;
    r.doc = "{\"execution_id\":\"x\",\"issues\":[{\"type\":\"ERROR\","
            "\"description\":\"it broke\"}],\"tag\":7}";
    r.doc_len = strlen(r.doc);
    return r;
}

static int put_exec(struct et_store *st, const char *id, const char *agent,
                    int64_t start_ns, struct et_error *err)
{
    struct et_exec_row r = exec_row(id, agent, start_ns);
    int rc = et_store_begin(st, true, err);

    if (!rc)
        rc = et_store_exec_put(st, &r, true, err);
    if (!rc)
        rc = et_store_commit(st, err);
    else
        et_store_rollback(st);
    return rc;
}

struct rows {
    int n;
    char ids[8][37];
    char bodies[8][64];
    uint64_t seqs[8];
};

static int collect_row(void *ctx, const struct et_event_row *row)
{
    struct rows *r = ctx;

    if (r->n < 8) {
        r->seqs[r->n] = row->seq;
        snprintf(r->bodies[r->n], sizeof(r->bodies[0]), "%.*s",
                 row->body ? (int)row->body_len : 6,
                 row->body ? row->body : "(null)");
    }
    r->n++;
    return 0;
}

static int collect_exec(void *ctx, const struct et_exec_row *row)
{
    struct rows *r = ctx;

    if (r->n < 8)
        snprintf(r->ids[r->n], sizeof(r->ids[0]), "%s", row->execution_id);
    r->n++;
    return 0;
}

static int collect_text(void *ctx, const char *text, size_t len)
{
    struct rows *r = ctx;

    if (r->n < 8)
        snprintf(r->bodies[r->n], sizeof(r->bodies[0]), "%.*s", (int)len, text);
    r->n++;
    return 0;
}

/* ---- tests ---- */

T_TEST(open_create)
{
    const char *t = fresh();
    struct et_store *st = NULL;
    struct et_error err = {0};
    int created = -1;

    if (!t)
        return;
    if (strcmp(backend, "sqlite-memory") != 0)
        T_ASSERT_RC(et_store_open(t, 0, &st, &created, &err), ET_EUNAVAIL);
    T_ASSERT(st == NULL);
    T_ASSERT_OK(et_store_open(t, ET_STORE_CREATE, &st, &created, &err));
    T_ASSERT_INT_EQ(created, 1);
    if (!strcmp(backend, "sqlite-memory")) {
        done(st);
        return;
    }
    et_store_close(st);
    st = NULL;
    T_ASSERT_OK(et_store_open(t, 0, &st, &created, &err));
    T_ASSERT_INT_EQ(created, 0);
    et_store_close(st);
    T_ASSERT_OK(et_store_open(t, ET_STORE_READONLY, &st, &created, &err));
    done(st);
}

T_TEST(transactions)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    char *v = NULL;

    if (!st)
        return;
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_meta_put(st, "k", "rolled back", &err));
    et_store_rollback(st);
    T_ASSERT_RC(et_store_meta_get(st, "k", &v, &err), ET_ENOTFOUND);
    T_ASSERT(v == NULL);
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_meta_put(st, "k", "one", &err));
    T_ASSERT_OK(et_store_meta_put(st, "k", "two", &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_meta_get(st, "k", &v, &err));
    T_ASSERT_STR_EQ(v, "two");
    et__free(v);
    /* a read transaction sees committed data */
    T_ASSERT_OK(et_store_begin(st, false, &err));
    T_ASSERT_OK(et_store_meta_get(st, "k", &v, &err));
    T_ASSERT_STR_EQ(v, "two");
    et__free(v);
    T_ASSERT_OK(et_store_commit(st, &err));
    done(st);
}

T_TEST(savepoints)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    char *v = NULL;

    if (!st)
        return;
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_meta_put(st, "a", "1", &err));
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_meta_put(st, "b", "2", &err));
    T_ASSERT_OK(et_store_rollback_to(st));
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_meta_put(st, "c", "3", &err));
    T_ASSERT_OK(et_store_release(st, &err));
    /* a failed statement inside a unit: the unit rolls back, the
     * transaction goes on (PostgreSQL aborts the statement's savepoint
     * only) */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    {
        struct et_exec_row r = exec_row(ID1, "x", 1);

        /* writes are kept for the unit and fail when it flushes them
         * (store.h, "the projection delta") */
        T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
        T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
        T_ASSERT_RC(et_store_flush(st, &err), ET_EEXIST);
    }
    T_ASSERT_OK(et_store_rollback_to(st));
    T_ASSERT_OK(et_store_meta_put(st, "d", "4", &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_meta_get(st, "a", &v, &err));
    et__free(v);
    T_ASSERT_RC(et_store_meta_get(st, "b", &v, &err), ET_ENOTFOUND);
    T_ASSERT_OK(et_store_meta_get(st, "c", &v, &err));
    et__free(v);
    T_ASSERT_OK(et_store_meta_get(st, "d", &v, &err));
    et__free(v);
    {
        struct et_exec_row got;

        T_ASSERT_RC(et_store_exec_get(st, ID1, &got, &err), ET_ENOTFOUND);
    }
    done(st);
}

T_TEST(ledger)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_tree tree, back;
    struct rows r = {0};
    uint8_t root1[ET_HASH_LEN], root2[ET_HASH_LEN];
    uint8_t(*leaves)[ET_HASH_LEN] = NULL;
    uint64_t *seqs = NULL;
    size_t n = 0;
    char id[37];

    if (!st)
        return;
    T_ASSERT_OK(et_store_head_load(st, &back, &err));
    T_ASSERT_INT_EQ(back.size, 0);
    T_ASSERT_OK(append_events(st, ID1, 3, &tree, &err));
    T_ASSERT_OK(append_events(st, ID2, 2, &tree, &err));
    T_ASSERT_INT_EQ(tree.size, 5);
    T_ASSERT_OK(et_store_head_load(st, &back, &err));
    T_ASSERT_INT_EQ(back.size, 5);
    et_tree_root(&tree, root1);
    et_tree_root(&back, root2);
    T_ASSERT_MEM_EQ(root1, root2, ET_HASH_LEN);
    T_ASSERT_OK(et_store_read_range(st, 1, 4, collect_row, &r, &err));
    T_ASSERT_INT_EQ(r.n, 3);
    T_ASSERT_INT_EQ(r.seqs[0], 1);
    T_ASSERT_INT_EQ(r.seqs[2], 3);
    T_ASSERT_STR_EQ(r.bodies[0], "{\"n\":1}");
    memset(&r, 0, sizeof(r));
    T_ASSERT_OK(et_store_read_range(st, 0, UINT64_MAX, collect_row, &r, &err));
    T_ASSERT_INT_EQ(r.n, 5);
    T_ASSERT_OK(et_store_leaves(st, 5, &leaves, &err));
    {
        uint8_t l[ET_HASH_LEN];

        leaf_of("{\"n\":4}", l);
        T_ASSERT_MEM_EQ(leaves[4], l, ET_HASH_LEN);
    }
    et__free(leaves);
    leaves = NULL;
    T_ASSERT_RC(et_store_leaves(st, 6, &leaves, &err), ET_EINTEGRITY);
    T_ASSERT(leaves == NULL);
    T_ASSERT_OK(et_store_exec_seqs(st, ID2, &seqs, &n, &err));
    T_ASSERT_INT_EQ(n, 2);
    T_ASSERT_INT_EQ(seqs[0], 3);
    T_ASSERT_INT_EQ(seqs[1], 4);
    et__free(seqs);
    T_ASSERT_OK(et_store_exec_for_seq(st, 2, id, &err));
    T_ASSERT_STR_EQ(id, ID1);
    T_ASSERT_RC(et_store_exec_for_seq(st, 99, id, &err), ET_ENOTFOUND);
    done(st);
}

T_TEST(append_duplicate_fails)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_tree tree;
    struct et_event_row ev;
    struct rows r = {0};

    if (!st)
        return;
    T_ASSERT_OK(append_events(st, ID1, 2, &tree, &err));
    memset(&ev, 0, sizeof(ev));
    ev.seq = 1; /* already there */
    ev.type = "execution.recorded";
    ev.ts_ns = 1;
    ev.body = "{\"forged\":true}";
    ev.body_len = strlen(ev.body);
    leaf_of(ev.body, ev.leaf);
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_append(st, &ev, &err));
    T_ASSERT_RC(et_store_flush(st, &err), ET_EEXIST);
    et_store_rollback(st);
    T_ASSERT_OK(et_store_read_range(st, 0, UINT64_MAX, collect_row, &r, &err));
    T_ASSERT_INT_EQ(r.n, 2);
    T_ASSERT_STR_EQ(r.bodies[1], "{\"n\":1}");
    done(st);
}

T_TEST(executions)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_exec_row got, r;
    struct rows rows = {0};
    char id[37];

    if (!st)
        return;
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "beta", 2000, &err));
    T_ASSERT_RC(put_exec(st, ID1, "alpha", 1000, &err), ET_EEXIST);
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_STR_EQ(got.agent_name, "alpha");
    T_ASSERT_STR_EQ(got.verification, "MATCH");
    T_ASSERT(got.accuracy == NULL);
    T_ASSERT_INT_EQ(got.start_ns, 1000);
    T_ASSERT_INT_EQ(got.duration_ms, 5);
    T_ASSERT_INT_EQ(got.n_failed_actions, 1);
    T_ASSERT_INT_EQ(got.doc_len, strlen(exec_row(ID1, "a", 0).doc));
    T_ASSERT_RC(et_store_exec_get(st, "00000000-0000-4000-8000-000000000000",
                                  &got, &err),
                ET_ENOTFOUND);
    /* update: unknown values read back as unknown */
    r = exec_row(ID1, "alpha", 1000);
    r.duration_ms = -1;
    r.end_ns = 0;
    r.state = "failed";
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_exec_put(st, &r, false, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_STR_EQ(got.state, "failed");
    T_ASSERT_INT_EQ(got.duration_ms, -1);
    T_ASSERT_INT_EQ(got.end_ns, 0);
    /* resolve */
    T_ASSERT_OK(et_store_exec_resolve(st, "11112", id, &err));
    T_ASSERT_STR_EQ(id, ID2);
    T_ASSERT_OK(et_store_exec_resolve(st, "11111111-AAAA", id, &err));
    T_ASSERT_STR_EQ(id, ID1);
    T_ASSERT_RC(et_store_exec_resolve(st, "1111", id, &err), ET_EINPUT);
    T_ASSERT_RC(et_store_exec_resolve(st, "abc", id, &err), ET_EINPUT);
    T_ASSERT_RC(et_store_exec_resolve(st, "9999", id, &err), ET_ENOTFOUND);
    /* list: newest first */
    T_ASSERT_OK(et_store_exec_list(st, 0, collect_exec, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 2);
    T_ASSERT_STR_EQ(rows.ids[0], ID2);
    memset(&rows, 0, sizeof(rows));
    T_ASSERT_OK(et_store_exec_list(st, 1, collect_exec, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 1);
    done(st);
}

/* How many of found[0..n) are true. */
static size_t n_found(const bool *found, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += found[i];
    return k;
}

T_TEST(exec_exists)
{
    /* an id that is not a UUID, with the characters an array literal
     * quotes: the store takes any text */
    static const char odd[] = "odd \"id\", {with} \\ NULL";
    static const char ID4[] = "11114444-dddd-4ddd-8ddd-000000000004";
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_store_stats x0, x1;
    const char *ids[5];
    bool found[5];
    enum { MANY = 3000 };
    char(*many)[37] = NULL;
    const char **mp = NULL;
    bool *mf = NULL;

    if (!st)
        return;
    ids[0] = ID1;
    ids[1] = ID2;
    T_ASSERT_OK(et_store_exec_exists(st, ids, 2, found, &err));
    T_ASSERT(!found[0] && !found[1]);
    T_ASSERT_OK(et_store_exec_exists(st, ids, 0, found, &err));
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, odd, "gamma", 3000, &err));
    /* in any order, repeated */
    ids[0] = ID3;
    ids[1] = ID1;
    ids[2] = odd;
    ids[3] = ID1;
    ids[4] = ID2;
    found[2] = false;
    T_ASSERT_OK(et_store_exec_exists(st, ids, 5, found, &err));
    T_ASSERT(!found[0] && found[1] && found[2] && found[3] && !found[4]);
    /* the transaction's own rows count, kept ones too (applied first);
     * a unit rolled back takes its rows with it, as does the transaction */
    T_ASSERT_OK(et_store_begin(st, true, &err));
    {
        struct et_exec_row r = exec_row(ID2, "beta", 2000);

        T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
    }
    et_store_stats_get(st, &x0);
    ids[0] = ID2;
    ids[1] = ID4;
    T_ASSERT_OK(et_store_exec_exists(st, ids, 2, found, &err));
    T_ASSERT(found[0] && !found[1]);
    et_store_stats_get(st, &x1);
    T_ASSERT_INT_EQ((long long)(x1.applies - x0.applies), 1);
    T_ASSERT_OK(et_store_savepoint(st, &err));
    {
        struct et_exec_row r = exec_row(ID4, "delta", 4000);

        T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
    }
    T_ASSERT_OK(et_store_exec_exists(st, ids, 2, found, &err));
    T_ASSERT(found[0] && found[1]);
    T_ASSERT_OK(et_store_rollback_to(st));
    T_ASSERT_OK(et_store_exec_exists(st, ids, 2, found, &err));
    T_ASSERT(found[0] && !found[1]);
    et_store_rollback(st);
    T_ASSERT_OK(et_store_exec_exists(st, ids, 2, found, &err));
    T_ASSERT(!found[0] && !found[1]);
    /* many ids: one backend call; in a read transaction too */
    many = et__calloc(MANY, sizeof(*many));
    mp = et__calloc(MANY, sizeof(*mp));
    mf = et__calloc(MANY, sizeof(*mf));
    T_ASSERT(many && mp && mf);
    for (size_t i = 0; i < MANY; i++) {
        snprintf(many[i], sizeof(many[i]), "22222222-0000-4000-8000-%012zu",
                 i);
        mp[i] = i % 1499 == 0 ? ID1 : many[i]; /* 0, 1499, 2998 */
    }
    mp[MANY - 1] = odd;
    T_ASSERT_OK(et_store_begin(st, false, &err));
    et_store_stats_get(st, &x0);
    T_ASSERT_OK(et_store_exec_exists(st, mp, MANY, mf, &err));
    et_store_stats_get(st, &x1);
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_INT_EQ((long long)(x1.backend_calls - x0.backend_calls), 1);
    T_ASSERT_INT_EQ((long long)n_found(mf, MANY), 4);
    T_ASSERT(mf[0] && mf[1499] && mf[2998] && mf[MANY - 1]);
    et__free(many);
    et__free(mp);
    et__free(mf);
    done(st);
}

T_TEST(actions)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_action_row a;
    struct rows rows = {0};
    int64_t last = -1;

    if (!st)
        return;
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(et_store_action_last(st, ID1, &last, &err));
    T_ASSERT_INT_EQ(last, 0);
    memset(&a, 0, sizeof(a));
    a.execution_id = ID1;
    a.tool = "Bash";
    a.success = 0;
    a.seq = 1;
    a.doc = "{\"sequence\":2,\"tool\":\"Bash\",\"error\":\"exit 1\"}";
    a.doc_len = strlen(a.doc);
    a.sequence = 2;
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_action_put(st, &a, &err));
    a.sequence = 1;
    a.tool = "Read";
    a.success = 1;
    a.doc = "{\"sequence\":1,\"tool\":\"Read\"}";
    a.doc_len = strlen(a.doc);
    T_ASSERT_OK(et_store_action_put(st, &a, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_action_put(st, &a, &err));
    T_ASSERT_RC(et_store_commit(st, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "sequence 1");
    et_store_rollback(st);
    T_ASSERT_OK(et_store_actions_get(st, ID1, collect_text, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 2);
    T_ASSERT_STR_CONTAINS(rows.bodies[0], "Read");
    T_ASSERT_OK(et_store_action_last(st, ID1, &last, &err));
    T_ASSERT_INT_EQ(last, 2);
    done(st);
}

static int count_rows(struct et_store *st, const char *query, int *n_out)
{
    struct et_query *q = NULL;
    struct et_error err = {0};
    struct rows rows = {0};
    int rc = et_query_parse(query, strlen(query), 0, &q, &err);

    if (!rc)
        rc = et__query_store_run(st, q, NULL, collect_exec, &rows, &err);
    if (rc)
        fprintf(stderr, "# query '%s': %s\n", query, err.msg);
    et_query_free(q);
    *n_out = rows.n;
    return rc;
}

#define T_QUERY_COUNT(st, text, want)                                   \
 do {                                                                   \
  int n_ = -1;                                                          \
  T_ASSERT_OK(count_rows(st, text, &n_));                               \
  if (n_ != (want)) {                                                   \
   t_fail(__FILE__, __LINE__, "query '%s': %d rows, want %d", text, n_, \
          (want));                                                      \
   return;                                                              \
  }                                                                     \
 } while (0)

T_TEST(lists_credentials_security_query)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_action_row a;

    if (!st)
        return;
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "beta", 2000, &err));
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_list_put(st, ID1, 1000, ET_LIST_FILES,
                                  "src/auth/secrets.yaml", &err));
    T_ASSERT_OK(et_store_list_put(st, ID1, 1000, ET_LIST_FILES,
                                  "src/auth/secrets.yaml", &err));
    T_ASSERT_OK(
        et_store_list_put(st, ID2, 2000, ET_LIST_COMMANDS, "make test", &err));
    T_ASSERT_OK(et_store_cred_put(st, ID1, "aws", "fp-1", 3, &err));
    T_ASSERT_OK(et_store_cred_put(st, ID1, "aws", "fp-1", 3, &err));
    T_ASSERT_OK(et_store_security_add(st, ID1, "path:secrets", &err));
    T_ASSERT_OK(et_store_security_add(st, ID1, "path:secrets", &err));
    T_ASSERT_OK(et_store_security_add(st, ID1, "credential:aws", &err));
    memset(&a, 0, sizeof(a));
    a.execution_id = ID2;
    a.sequence = 1;
    a.tool = "Bash";
    a.success = 0;
    a.doc = "{\"sequence\":1,\"tool\":\"Bash\",\"error\":\"exit 2\"}";
    a.doc_len = strlen(a.doc);
    T_ASSERT_OK(et_store_action_put(st, &a, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_QUERY_COUNT(st, "", 2);
    T_QUERY_COUNT(st, "agent = alpha", 1);
    T_QUERY_COUNT(st, "agent != alpha", 1);
    T_QUERY_COUNT(st, "agent = nobody", 0);
    T_QUERY_COUNT(st, "verification.status = MATCH", 2);
    T_QUERY_COUNT(st, "duration_ms >= 5", 2);
    T_QUERY_COUNT(st, "output.files_modified = src/auth/secrets.yaml", 1);
    T_QUERY_COUNT(st, "output.files_modified ~ secrets", 1);
    T_QUERY_COUNT(st, "NOT output.files_modified ~ secrets", 1);
    T_QUERY_COUNT(st, "credential.kind = aws", 1);
    T_QUERY_COUNT(st, "security.relevant", 1);
    T_QUERY_COUNT(st, "security.reason = credential:aws", 1);
    T_QUERY_COUNT(st, "action(tool = Bash AND NOT success)", 1);
    T_QUERY_COUNT(st, "agent = alpha OR agent = beta", 2);
    T_QUERY_COUNT(st, "agent = alpha limit 0", 0);
    done(st);
}

struct hits {
    int n;
    char first[37];
};

static int collect_hit(void *ctx, const struct et_store_hit *h)
{
    struct hits *x = ctx;

    if (!x->n++)
        snprintf(x->first, sizeof(x->first), "%s", h->execution_id);
    return 0;
}

static int collect_seq_text(void *ctx, uint64_t seq, const char *text,
                            size_t len)
{
    struct rows *r = ctx;

    if (r->n < 8) {
        r->seqs[r->n] = seq;
        snprintf(r->bodies[r->n], sizeof(r->bodies[0]), "%.*s", (int)len, text);
    }
    r->n++;
    return 0;
}

T_TEST(fts_search)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_tree tree;
    struct hits h = {0};
    struct rows rows = {0};
    static const char t0[] = "deploy the payment service to staging";
    static const char t1[] = "rotate credentials for the billing-api";
    struct et_store_search s = {"payment staging", 15, 10, 1000};

    if (!st)
        return;
    T_ASSERT_OK(append_events(st, ID1, 1, &tree, &err));
    T_ASSERT_OK(append_events(st, ID2, 1, &tree, &err));
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "beta", 2000, &err));
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_fts_put(st, 0, ID1, t0, strlen(t0), &err));
    T_ASSERT_OK(et_store_fts_put(st, 1, ID2, t1, strlen(t1), &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 1);
    T_ASSERT_STR_EQ(h.first, ID1);
    memset(&h, 0, sizeof(h));
    s.words = "billing";
    s.len = strlen(s.words);
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 1);
    T_ASSERT_STR_EQ(h.first, ID2);
    memset(&h, 0, sizeof(h));
    s.words = "payment billing"; /* every word must occur */
    s.len = strlen(s.words);
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 0);
    s.words = " ,; ";
    s.len = strlen(s.words);
    T_ASSERT_RC(et_store_search(st, &s, collect_hit, &h, &err), ET_EINPUT);
    T_QUERY_COUNT(st, "\"payment service\"", 1);
    T_QUERY_COUNT(st, "\"service payment\"", 0);
    T_ASSERT_OK(et_store_exec_texts(st, ID2, collect_seq_text, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 1);
    T_ASSERT_INT_EQ(rows.seqs[0], 1);
    T_ASSERT_STR_EQ(rows.bodies[0], t1);
    done(st);
}

static int collect_ckpt(void *ctx, uint64_t size, const char *note)
{
    struct rows *r = ctx;

    if (r->n < 8) {
        r->seqs[r->n] = size;
        snprintf(r->bodies[r->n], sizeof(r->bodies[0]), "%s", note);
    }
    r->n++;
    return 0;
}

T_TEST(meta_checkpoints_sessions)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    uint8_t root[ET_HASH_LEN];
    struct rows rows = {0};
    char *v = NULL;

    if (!st)
        return;
    T_ASSERT_RC(et_store_meta_get(st, "install_id", &v, &err), ET_ENOTFOUND);
    T_ASSERT_STR_CONTAINS(err.msg, "install_id");
    T_ASSERT_OK(et_store_meta_put(st, "install_id", "abc", &err));
    T_ASSERT_OK(et_store_meta_get(st, "install_id", &v, &err));
    T_ASSERT_STR_EQ(v, "abc");
    et__free(v);
    memset(root, 7, sizeof(root));
    T_ASSERT_OK(et_store_checkpoint_put(st, 5, root, 1, "note five", &err));
    T_ASSERT_OK(et_store_checkpoint_put(st, 3, root, 2, "note three", &err));
    T_ASSERT_OK(et_store_checkpoint_each(st, collect_ckpt, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 2);
    T_ASSERT_INT_EQ(rows.seqs[0], 5);
    T_ASSERT_STR_EQ(rows.bodies[1], "note three");
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_session_touch(st, "s1", 100, true, &err));
    T_ASSERT_OK(et_store_session_touch(st, "s1", 50, false, &err));
    T_ASSERT_OK(et_store_session_touch(st, "s1", 200, true, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    done(st);
}

T_TEST(projection_reset_keeps_ledger)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_tree tree, back;
    struct et_exec_row got;
    struct rows rows = {0};

    if (!st)
        return;
    T_ASSERT_OK(append_events(st, ID1, 3, &tree, &err));
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(et_store_meta_put(st, "install_id", "keep", &err));
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_projection_reset(st, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_RC(et_store_exec_get(st, ID1, &got, &err), ET_ENOTFOUND);
    T_ASSERT_OK(et_store_head_load(st, &back, &err));
    T_ASSERT_INT_EQ(back.size, 3);
    T_ASSERT_OK(
        et_store_read_range(st, 0, UINT64_MAX, collect_row, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 3);
    {
        char *v = NULL;

        T_ASSERT_OK(et_store_meta_get(st, "install_id", &v, &err));
        et__free(v);
    }
    done(st);
}

static int count_agent(void *ctx, const struct et_store_agent_row *r)
{
    int *n = ctx;

    *n += (int)r->executions;
    return 0;
}

static int count_failure(void *ctx, const struct et_store_failure_row *r)
{
    struct rows *x = ctx;

    if (x->n < 8)
        snprintf(x->bodies[x->n], sizeof(x->bodies[0]), "%s|%s|%s",
                 r->tool ? r->tool : "-", r->error ? r->error : "-",
                 r->issue ? r->issue : "-");
    x->n++;
    return 0;
}

T_TEST(aggregates_and_explain)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_action_row a;
    struct rows rows = {0};
    struct et_buf out = ET_BUF_INIT;
    struct et_query *q = NULL;
    struct et_sqlstmt where;
    int n = 0;

    if (!st)
        return;
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "alpha", 2000, &err));
    memset(&a, 0, sizeof(a));
    a.execution_id = ID1;
    a.sequence = 1;
    a.tool = "Bash";
    a.success = 0;
    a.doc = "{\"tool\":\"Bash\",\"error\":\"exit 2\"}";
    a.doc_len = strlen(a.doc);
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_action_put(st, &a, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    /* the filters are conditions the query compiler wrote in the
     * backend's dialect: none (every execution), then agent = alpha */
    T_ASSERT_OK(
        et__query_compile_where(et_store_dialect(st), NULL, &where, &err));
    T_ASSERT_OK(et_store_agent_stats(st, &where, count_agent, &n, &err));
    T_ASSERT_INT_EQ(n, 2);
    T_ASSERT_OK(et_store_failures(st, &where, count_failure, &rows, &err));
    et__sqlstmt_release(&where);
    T_ASSERT_INT_EQ(rows.n, 2);
    T_ASSERT_STR_EQ(rows.bodies[1], "Bash|exit 2|it broke");
    T_ASSERT_OK(et_query_parse("agent = alpha", 13, 0, &q, &err));
    n = 0;
    T_ASSERT_OK(et__query_compile_where(et_store_dialect(st), q, &where, &err));
    T_ASSERT_OK(et_store_agent_stats(st, &where, count_agent, &n, &err));
    et__sqlstmt_release(&where);
    T_ASSERT_INT_EQ(n, 2);
    T_ASSERT_OK(et__query_store_explain(st, q, NULL, &out, &err));
    T_ASSERT_STR_CONTAINS(out.ptr, "alpha");
    T_ASSERT_STR_CONTAINS(out.ptr, "plan:");
    et_buf_release(&out);
    et_query_free(q);
    done(st);
}

static int count_kv(void *ctx, const char *key, const char *value)
{
    struct rows *r = ctx;

    ET_UNUSED(value);
    if (r->n < 8)
        snprintf(r->bodies[r->n], sizeof(r->bodies[0]), "%s", key);
    r->n++;
    return 0;
}

static int count_ret(void *ctx, const struct et_store_ret_row *r)
{
    struct rows *x = ctx;

    if (x->n < 8)
        snprintf(x->bodies[x->n], sizeof(x->bodies[0]), "%s %d %s",
                 r->execution_id, r->is_security,
                 r->hold_reason ? r->hold_reason : "-");
    x->n++;
    return 0;
}

T_TEST(retention_ops)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_tree tree;
    struct rows rows = {0};
    struct et_exec_row got;
    bool changed = false;
    char *v = NULL;
    const char *gone[] = {ID2};

    if (!st)
        return;
    T_ASSERT_OK(append_events(st, ID1, 2, &tree, &err));
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "beta", 2000, &err));
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_security_add(st, ID1, "path:x", &err));
    T_ASSERT_OK(et_store_rstate_put(st,
                                    "hold:"
                                    "11111111-aaaa-4aaa-8aaa-"
                                    "000000000001",
                                    "{\"reason\":\"audit\",\"since_ns\":5}", 1,
                                    &err));
    T_ASSERT_OK(et_store_rstate_put(st, "run:1", "{}", 1, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_rstate_get(st, "run:1", &v, &err));
    T_ASSERT_STR_EQ(v, "{}");
    et__free(v);
    T_ASSERT_OK(et_store_rstate_each(st, "hold:", count_kv, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 1);
    memset(&rows, 0, sizeof(rows));
    T_ASSERT_OK(et_store_ret_scan(st, count_ret, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 2);
    T_ASSERT_STR_EQ(rows.bodies[0], "11111111-aaaa-4aaa-8aaa-000000000001 1 "
                                    "audit");
    T_ASSERT_OK(et_store_rstate_del(st, "run:1", &err));
    T_ASSERT_RC(et_store_rstate_get(st, "run:1", &v, &err), ET_ENOTFOUND);
    /* payloads: erase, restore once */
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_payload_set(st, 1, NULL, 0, &changed, &err));
    T_ASSERT(changed);
    T_ASSERT_OK(et_store_commit(st, &err));
    memset(&rows, 0, sizeof(rows));
    T_ASSERT_OK(et_store_read_range(st, 1, 2, collect_row, &rows, &err));
    T_ASSERT_STR_EQ(rows.bodies[0], "(null)");
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_payload_set(st, 1, "{\"n\":1}", 7, &changed, &err));
    T_ASSERT(changed);
    T_ASSERT_OK(et_store_payload_set(st, 1, "{\"n\":9}", 7, &changed, &err));
    T_ASSERT(!changed);
    T_ASSERT_OK(et_store_exec_forget(st, gone, 1, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_RC(et_store_exec_get(st, ID2, &got, &err), ET_ENOTFOUND);
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    done(st);
}

static int count_sig(void *ctx, const struct et_store_signature_row *r)
{
    struct rows *x = ctx;

    if (x->n < 8)
        snprintf(x->bodies[x->n], sizeof(x->bodies[0]), "%s %lld", r->signature,
                 (long long)r->count);
    x->n++;
    return 0;
}

static int count_hist(void *ctx, const struct et_store_history_row *r)
{
    int *n = ctx;

    ET_UNUSED(r);
    (*n)++;
    return 0;
}

T_TEST(analysis_ops)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_store_issue_row is[2] = {{0, 10, "ERROR", "sig-a", "a failed"},
                                       {1, 10, "WARNING", "sig-b", "b slow"}};
    struct rows rows = {0};
    int64_t count = 0, agents = 0;
    int n = 0;

    if (!st)
        return;
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "alpha", 2000, &err));
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_issues_put(st, ID1, "alpha", is, 2, &err));
    T_ASSERT_OK(et_store_issues_put(st, ID2, "alpha", is, 1, &err));
    T_ASSERT_OK(et_store_issues_put(st, ID2, "alpha", is, 1, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_signature_count(st, "sig-a", 0, ID1, 100, &count,
                                         &agents, &err));
    T_ASSERT_INT_EQ(count, 1);
    T_ASSERT_INT_EQ(agents, 1);
    T_ASSERT_OK(
        et_store_top_signatures(st, NULL, 0, NULL, 10, count_sig, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 2);
    T_ASSERT_STR_EQ(rows.bodies[0], "sig-a 2");
    T_ASSERT_OK(
        et_store_agent_history(st, "alpha", ID2, 0, 10, count_hist, &n, &err));
    T_ASSERT_INT_EQ(n, 1);
    done(st);
}

static int sum_rollup(void *ctx, const struct et_rollup_row *r)
{
    int64_t *n = ctx;

    *n += r->n * 1000 + r->match;
    return 0;
}

static int sum_bucket(void *ctx, int bucket, int64_t n)
{
    int64_t *x = ctx;

    *x += bucket * 100 + n;
    return 0;
}

static int count_group(void *ctx, const struct et_issue_group *g)
{
    struct rows *x = ctx;

    if (x->n < 8)
        snprintf(x->bodies[x->n], sizeof(x->bodies[0]), "%s %lld %s",
                 g->signature, (long long)g->count,
                 g->example ? g->example : "-");
    x->n++;
    return 0;
}

T_TEST(report_ops)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_rollup_row r;
    struct et_issue_rollup ir = {"alpha", 10, "ERROR", "sig", 2, 1, "first"};
    struct rows rows = {0};
    int64_t sum = 0;

    if (!st)
        return;
    memset(&r, 0, sizeof(r));
    r.slot = 10;
    r.agent = "alpha";
    r.n = 1;
    r.match = 1;
    r.dur_bucket = 3;
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_rollup_add(st, &r, 1, &err));
    T_ASSERT_OK(et_store_rollup_add(st, &r, 1, &err));
    r.agent = "beta";
    T_ASSERT_OK(et_store_rollup_add(st, &r, 1, &err));
    T_ASSERT_OK(et_store_rollup_add(st, &r, -1, &err));
    T_ASSERT_OK(et_store_issue_rollup_add(st, &ir, &err));
    ir.slot = 11;
    ir.n = 1;
    ir.example = "newer";
    T_ASSERT_OK(et_store_issue_rollup_add(st, &ir, &err));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(
        et_store_rollup_read(st, "alpha", 0, 96, sum_rollup, &sum, &err));
    T_ASSERT_INT_EQ(sum, 2002);
    sum = 0;
    T_ASSERT_OK(et_store_rollup_read(st, NULL, 0, 96, sum_rollup, &sum, &err));
    T_ASSERT_INT_EQ(sum, 2002);
    sum = 0;
    T_ASSERT_OK(et_store_rollup_hist(st, NULL, 0, 96, sum_bucket, &sum, &err));
    T_ASSERT_INT_EQ(sum, 302);
    T_ASSERT_OK(
        et_store_issues_top(st, NULL, 0, 96, 10, count_group, &rows, &err));
    T_ASSERT_INT_EQ(rows.n, 1);
    T_ASSERT_STR_EQ(rows.bodies[0], "sig 3 newer");
    done(st);
}

/* The projection delta (store.h): writes are kept and reach the backend
 * in one apply, yet a read sees every write made before it; the bytes are
 * copies (the caller's buffers may change at once); a rolled-back unit
 * drops its kept writes; the counters say how many calls were saved. */
T_TEST(kept_writes)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_store_stats x0, x1;
    struct et_exec_row got;
    char agent[16], doc[64];
    int64_t last = -1;

    if (!st)
        return;
    et_store_stats_get(st, &x0);
    T_ASSERT_OK(et_store_begin(st, true, &err));
    {
        struct et_exec_row r = exec_row(ID1, agent, 1000);
        struct et_action_row a;

        snprintf(agent, sizeof(agent), "alpha");
        snprintf(doc, sizeof(doc), "{\"sequence\":1,\"tool\":\"Bash\"}");
        T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
        memset(&a, 0, sizeof(a));
        a.execution_id = ID1;
        a.sequence = 1;
        a.tool = "Bash";
        a.success = 1;
        a.doc = doc;
        a.doc_len = strlen(doc);
        T_ASSERT_OK(et_store_action_put(st, &a, &err));
        /* the caller's buffers change after the calls: the kept writes
         * have their own copies */
        snprintf(agent, sizeof(agent), "CHANGED");
        snprintf(doc, sizeof(doc), "garbage");
    }
    et_store_stats_get(st, &x1);
    T_ASSERT_INT_EQ((long long)(x1.kept - x0.kept), 2);
    T_ASSERT_INT_EQ((long long)(x1.applies - x0.applies), 0);
    /* a read of the actions applies the kept writes first */
    T_ASSERT_OK(et_store_action_last(st, ID1, &last, &err));
    T_ASSERT_INT_EQ(last, 1);
    et_store_stats_get(st, &x1);
    T_ASSERT_INT_EQ((long long)(x1.applies - x0.applies), 1);
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_STR_EQ(got.agent_name, "alpha");
    /* a unit rolled back drops what it kept */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    {
        struct et_exec_row r = exec_row(ID2, "beta", 2000);

        T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
    }
    T_ASSERT_OK(et_store_rollback_to(st));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_RC(et_store_exec_get(st, ID2, &got, &err), ET_ENOTFOUND);
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_STR_EQ(got.agent_name, "alpha");
    et_store_stats_get(st, &x1);
    /* 2 applied + 1 dropped kept writes; the applies and the other calls
     * are what reached the backend */
    T_ASSERT_INT_EQ((long long)(x1.kept - x0.kept), 3);
    T_ASSERT(x1.backend_calls - x0.backend_calls <
             x1.front_calls - x0.front_calls);
    done(st);
}

/* An execution row the unit wrote is read back from the kept writes (no
 * apply, no backend call), and a later update replaces it where it stands
 * (one write of the row per unit) unless the start time changed: the list
 * items carry it, and an item put between the two keeps the one it was
 * given until the row's update (applied in order) moves it. */
T_TEST(kept_execution_rows)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_store_stats x0, x1;
    struct et_exec_row r, got;
    char agent[16];

    if (!st)
        return;
    T_ASSERT_OK(et_store_begin(st, true, &err));
    et_store_stats_get(st, &x0);
    snprintf(agent, sizeof(agent), "alpha");
    r = exec_row(ID1, agent, 1000);
    r.state = "running";
    r.n_actions = 0;
    T_ASSERT_OK(et_store_exec_put(st, &r, true, &err));
    snprintf(agent, sizeof(agent), "CHANGED");
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_STR_EQ(got.agent_name, "alpha");
    T_ASSERT_INT_EQ(got.n_actions, 0);
    for (int i = 1; i <= 3; i++) {
        char item[32];

        T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
        T_ASSERT_INT_EQ(got.n_actions, i - 1);
        r = got;
        r.n_actions = i;
        r.last_seq = (uint64_t)i;
        snprintf(item, sizeof(item), "file-%d.txt", i);
        T_ASSERT_OK(et_store_list_put(st, ID1, r.start_ns, ET_LIST_FILES,
                                      item, &err));
        T_ASSERT_OK(et_store_exec_put(st, &r, false, &err));
    }
    et_store_stats_get(st, &x1);
    T_ASSERT_INT_EQ((long long)(x1.applies - x0.applies), 0);
    T_ASSERT_INT_EQ((long long)(x1.delta_reads - x0.delta_reads), 4);
    T_ASSERT_INT_EQ((long long)(x1.coalesced - x0.coalesced), 3);
    /* the start time moves: a row of its own, after the items */
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    r = got;
    r.start_ns = 5000;
    T_ASSERT_OK(et_store_exec_put(st, &r, false, &err));
    T_ASSERT_OK(et_store_list_put(st, ID1, 5000, ET_LIST_FILES, "file-1.txt",
                                  &err));
    T_ASSERT_OK(et_store_list_put(st, ID1, 5000, ET_LIST_FILES, "late.txt",
                                  &err));
    et_store_stats_get(st, &x1);
    T_ASSERT_INT_EQ((long long)(x1.coalesced - x0.coalesced), 3);
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_INT_EQ(got.start_ns, 5000);
    T_ASSERT_INT_EQ(got.n_actions, 3);
    /* a unit rolled back: its row is gone from the kept writes too */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    r = got;
    r.n_actions = 99;
    T_ASSERT_OK(et_store_exec_put(st, &r, false, &err));
    T_ASSERT_OK(et_store_rollback_to(st));
    T_ASSERT_OK(et_store_commit(st, &err));
    T_ASSERT_OK(et_store_exec_get(st, ID1, &got, &err));
    T_ASSERT_STR_EQ(got.agent_name, "alpha");
    T_ASSERT_STR_EQ(got.state, "running");
    T_ASSERT_INT_EQ(got.n_actions, 3);
    T_ASSERT_INT_EQ((long long)got.last_seq, 3);
    T_ASSERT_INT_EQ(got.start_ns, 5000);
    /* every item carries the new start time, and file-1.txt is listed
     * once although put twice (with each start time) */
    T_QUERY_COUNT(st, "output.files_modified = file-1.txt", 1);
    T_QUERY_COUNT(st, "output.files_modified = late.txt", 1);
    T_QUERY_COUNT(st, "output.files_modified = file-2.txt AND "
                      "timestamp_start >= 1970-01-01", 1);
    /* an item listed already adds no row (the digest is of the multiset
     * of rows), a new one does */
    T_ASSERT_OK(et_store_begin(st, true, &err));
    if (et_store_projection_digest(st, (const uint8_t[32]){1}, false,
                                   (uint8_t[32]){0}, &err) == ET_EUNAVAIL) {
        et_store_rollback(st); /* PostgreSQL: verify compares otherwise */
        done(st);
        return;
    }
    et_store_rollback(st);
    {
        static const uint8_t key[32] = {1};
        uint8_t d0[32], d1[32];

        T_ASSERT_OK(et_store_begin(st, true, &err));
        T_ASSERT_OK(et_store_projection_digest(st, key, false, d0, &err));
        et_store_rollback(st); /* it leaves the TEMP copies for a rebuild */
        T_ASSERT_OK(et_store_begin(st, true, &err));
        T_ASSERT_OK(et_store_list_put(st, ID1, 5000, ET_LIST_FILES,
                                      "file-3.txt", &err));
        T_ASSERT_OK(et_store_commit(st, &err));
        T_ASSERT_OK(et_store_begin(st, true, &err));
        T_ASSERT_OK(et_store_projection_digest(st, key, false, d1, &err));
        et_store_rollback(st); /* it leaves the TEMP copies for a rebuild */
        T_ASSERT(memcmp(d0, d1, 32) == 0);
        T_ASSERT_OK(et_store_begin(st, true, &err));
        T_ASSERT_OK(et_store_list_put(st, ID1, 5000, ET_LIST_FILES,
                                      "file-4.txt", &err));
        T_ASSERT_OK(et_store_commit(st, &err));
        T_ASSERT_OK(et_store_begin(st, true, &err));
        T_ASSERT_OK(et_store_projection_digest(st, key, false, d1, &err));
        et_store_rollback(st); /* it leaves the TEMP copies for a rebuild */
        T_ASSERT(memcmp(d0, d1, 32) != 0);
    }
    done(st);
}

static int sum_events(void *ctx, const struct et_store_hit *h)
{
    *(long long *)ctx += h->n_events;
    return 0;
}

/* Full-text rows wait for the commit (delta.c: FTS5 writes a segment at
 * every savepoint), yet a read inside the transaction sees them, a unit
 * rolled back drops only its own rows, and rows a unit needed applied
 * inside its savepoint are applied again when that unit is rolled back. */
T_TEST(late_fts_rows)
{
    struct et_store *st = open_new();
    struct et_error err = {0};
    struct et_tree tree;
    struct hits h = {0};
    struct et_store_stats x0, x1;
    struct et_store_search s = {"kiwi", 4, 10, 1000};
    static const char t0[] = "kiwi harvest in the first unit";
    static const char t1[] = "kiwi export in the second unit";
    static const char t2[] = "kiwi import in the third unit";

    if (!st)
        return;
    T_ASSERT_OK(append_events(st, ID1, 1, &tree, &err));
    T_ASSERT_OK(append_events(st, ID2, 1, &tree, &err));
    T_ASSERT_OK(append_events(st, ID3, 1, &tree, &err));
    T_ASSERT_OK(put_exec(st, ID1, "alpha", 1000, &err));
    T_ASSERT_OK(put_exec(st, ID2, "beta", 2000, &err));
    T_ASSERT_OK(put_exec(st, ID3, "gamma", 3000, &err));
    et_store_stats_get(st, &x0);
    T_ASSERT_OK(et_store_begin(st, true, &err));
    /* unit 1: kept, not applied at its release */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_fts_put(st, 0, ID1, t0, strlen(t0), &err));
    T_ASSERT_OK(et_store_release(st, &err));
    et_store_stats_get(st, &x1);
    T_ASSERT_INT_EQ((long long)(x1.applies - x0.applies), 0);
    /* unit 2 reads the text (all of unit 1's and its own), then is rolled
     * back: unit 1's row must still reach the store */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_fts_put(st, 1, ID2, t1, strlen(t1), &err));
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 2);
    T_ASSERT_OK(et_store_rollback_to(st));
    /* unit 3: read inside, then released */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_fts_put(st, 2, ID3, t2, strlen(t2), &err));
    memset(&h, 0, sizeof(h));
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 2); /* units 1 and 3 */
    T_ASSERT_OK(et_store_release(st, &err));
    /* unit 4 keeps a row and is rolled back without any read */
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_fts_put(st, 1, ID2, t1, strlen(t1), &err));
    T_ASSERT_OK(et_store_rollback_to(st));
    T_ASSERT_OK(et_store_commit(st, &err));
    memset(&h, 0, sizeof(h));
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 2);
    memset(&h, 0, sizeof(h));
    s.words = "export";
    s.len = strlen(s.words);
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 0);
    memset(&h, 0, sizeof(h));
    s.words = "harvest";
    s.len = strlen(s.words);
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 1);
    T_ASSERT_STR_EQ(h.first, ID1);
    /* a whole transaction rolled back drops every kept row */
    T_ASSERT_OK(et_store_begin(st, true, &err));
    T_ASSERT_OK(et_store_savepoint(st, &err));
    T_ASSERT_OK(et_store_fts_put(st, 1, ID2, t1, strlen(t1), &err));
    T_ASSERT_OK(et_store_release(st, &err));
    et_store_rollback(st);
    memset(&h, 0, sizeof(h));
    T_ASSERT_OK(et_store_search(st, &s, collect_hit, &h, &err));
    T_ASSERT_INT_EQ(h.n, 1);
    /* many rows at one commit (PostgreSQL sends them by COPY): all of
     * them arrive, and one that cannot be stored (a sequence indexed
     * already) fails the commit with nothing of it kept */
    {
        static const char many[] = "walnut orchard row";
        long long before, after;

        /* the events they index: seqs 3..122 */
        T_ASSERT_OK(append_events(st, ID3, 120, &tree, &err));
        T_ASSERT_OK(et_store_begin(st, true, &err));
        for (uint64_t q = 3; q < 63; q++) {
            T_ASSERT_OK(et_store_savepoint(st, &err));
            T_ASSERT_OK(et_store_fts_put(st, q, ID3, many, strlen(many), &err));
            T_ASSERT_OK(et_store_release(st, &err));
        }
        T_ASSERT_OK(et_store_commit(st, &err));
        memset(&h, 0, sizeof(h));
        s.words = "walnut orchard";
        s.len = strlen(s.words);
        s.max_events = 1000;
        before = 0;
        T_ASSERT_OK(et_store_search(st, &s, sum_events, &before, &err));
        T_ASSERT_INT_EQ(before, 60);
        T_ASSERT_OK(et_store_begin(st, true, &err));
        for (uint64_t q = 63; q < 123; q++)
            T_ASSERT_OK(et_store_fts_put(st, q == 90 ? 30 : q, ID3, many,
                                         strlen(many), &err));
        T_ASSERT(et_store_commit(st, &err) != ET_OK);
        after = 0;
        T_ASSERT_OK(et_store_search(st, &s, sum_events, &after, &err));
        T_ASSERT_INT_EQ(after, before);
    }
    done(st);
}

static const struct t_case cases[] = {
    T_CASE(open_create),
    T_CASE(transactions),
    T_CASE(savepoints),
    T_CASE(ledger),
    T_CASE(append_duplicate_fails),
    T_CASE(executions),
    T_CASE(exec_exists),
    T_CASE(actions),
    T_CASE(lists_credentials_security_query),
    T_CASE(fts_search),
    T_CASE(meta_checkpoints_sessions),
    T_CASE(projection_reset_keeps_ledger),
    T_CASE(aggregates_and_explain),
    T_CASE(retention_ops),
    T_CASE(analysis_ops),
    T_CASE(report_ops),
    T_CASE(kept_writes),
    T_CASE(kept_execution_rows),
    T_CASE(late_fts_rows),
};

int main(int argc, char **argv)
{
    char suite[64];

    if (argc > 1)
        backend = argv[1];
    if (strcmp(backend, "sqlite-file") && strcmp(backend, "sqlite-memory") &&
        strcmp(backend, "postgres")) {
        fprintf(stderr, "usage: %s sqlite-file|sqlite-memory|postgres\n",
                argv[0]);
        return 2;
    }
    snprintf(suite, sizeof(suite), "store-%s", backend);
    return t_run(suite, cases, ET_ARRAY_SIZE(cases));
}
