/* SPDX-License-Identifier: MIT */
/*
 * Tests for the derived output lists (src/model/derive.c): each tool family,
 * the Bash splitting rules (quotes, escapes, wrappers, assignments,
 * subshells), plain-text inputs, malformed actions, and completing a record
 * (given items first and kept as given, implied ones once each).
 */
#include "base/setup.h"
#include "base/buf.h"
#include "codec/json.h"
#include "model/derive.h"
#include "t.h"

/* Items of one action as "k:item|k:item|..." (k = f, c or a). */
static int collect(void *ctx, enum et__derived kind, const char *item,
                   size_t len)
{
    static const char tag[] = {'f', 'c', 'a'};
    struct et_buf *b = ctx;

    return et_buf_printf(b, "%s%c:%.*s", b->len ? "|" : "", tag[kind], (int)len,
                         item);
}

static char *items_of(const char *action_json)
{
    static char out[2048];
    struct json_object *a = json_tokener_parse(action_json);
    struct et_buf b = ET_BUF_INIT;
    int rc;

    if (!a)
        return NULL;
    rc = et__derive_action(a, collect, &b);
    json_object_put(a);
    snprintf(out, sizeof(out), "%s", rc ? "ERROR" : et_buf_str(&b));
    et_buf_release(&b);
    return out;
}

T_TEST(file_writing_tools)
{
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Write\",\"input\":{\"file_path\":"
                             "\"src/a.c\",\"content\":\"x\"}}"),
                    "f:src/a.c");
    T_ASSERT_STR_EQ(
        items_of("{\"tool\":\"Edit\",\"input\":\"{\\\"file_path\\\":"
                 "\\\"b.py\\\",\\\"old_string\\\":\\\"a\\\"}\"}"),
        "f:b.py");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"NotebookEdit\",\"input\":{"
                             "\"notebook_path\":\"n.ipynb\"}}"),
                    "f:n.ipynb");
    /* plain text: one line is a path, several lines are not */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"MultiEdit\",\"input\":\"x/y.c\"}"),
                    "f:x/y.c");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Edit\",\"input\":\"a\\nb\"}"), "");
    /* reading is not writing; a missing field gives nothing */
    T_ASSERT_STR_EQ(
        items_of("{\"tool\":\"Read\",\"input\":{\"file_path\":\"a\"}}"), "");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Write\",\"input\":{}}"), "");
}

T_TEST(bash_commands_and_calls)
{
    T_ASSERT_STR_EQ(
        items_of("{\"tool\":\"Bash\",\"input\":{\"command\":\"make test\"}}"),
        "c:make test");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"curl -sSf "
                             "-H 'A: b' https://api.github.com/x\"}"),
                    "c:curl -sSf -H 'A: b' https://api.github.com/x|"
                    "a:curl https://api.github.com/x");
    /* wrappers, assignments and options before the program */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"A=1 B=2 sudo "
                             "-E env X=y /usr/bin/aws --profile p s3 ls\"}"),
                    "c:A=1 B=2 sudo -E env X=y /usr/bin/aws --profile p s3 "
                    "ls|a:aws p s3");
    /* several parts: ; && || | and a subshell */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"cd x; (gh pr "
                             "list) && wget -q http://h/f || kubectl get "
                             "ns | wc\"}"),
                    "c:cd x; (gh pr list) && wget -q http://h/f || kubectl "
                    "get ns | wc|a:gh pr list|a:wget http://h/f|a:kubectl "
                    "get ns");
    /* quoted or escaped separators do not split; quoted text is no call */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"echo 'a; curl "
                             "http://x' \\\\; curl http://y\"}"),
                    "c:echo 'a; curl http://x' \\; curl http://y");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"git commit -m "
                             "\\\"use gh; aws\\\"\"}"),
                    "c:git commit -m \"use gh; aws\"");
    /* a URL tool with no URL is still a call */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"curl\"}"),
                    "c:curl|a:curl");
    /* an unterminated quote: the rest is one quoted word */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"aws s3 'ls\"}"),
                    "c:aws s3 'ls|a:aws s3 ls");
}

T_TEST(web_and_mcp_calls)
{
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"WebFetch\",\"input\":{\"url\":"
                             "\"https://docs.aws.amazon.com/\"}}"),
                    "a:WebFetch https://docs.aws.amazon.com/");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"WebSearch\",\"input\":{\"query\":"
                             "\"gcp quotas\"}}"),
                    "a:WebSearch gcp quotas");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"mcp__graphiti-memory__add_memory\","
                             "\"input\":{}}"),
                    "a:graphiti-memory.add_memory");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"mcp__a__b__c\"}"), "a:a.b__c");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"mcp__x\"}"), "");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"mcp____t\"}"), "");
}

T_TEST(malformed_actions_give_nothing)
{
    T_ASSERT_STR_EQ(items_of("{\"tool\":7,\"input\":\"make\"}"), "");
    T_ASSERT_STR_EQ(items_of("{\"input\":\"make\"}"), "");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":[1]}"), "");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"{not json\"}"),
                    "c:{not json");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":{\"command\":5}}"),
                    "c:5");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"  \\n\"}"), "");
}

static char *complete(const char *rec_json)
{
    static char out[4096];
    struct json_object *r = json_tokener_parse(rec_json);

    if (!r)
        return NULL;
    if (et__derive_complete(r))
        snprintf(out, sizeof(out), "ERROR");
    else
        snprintf(out, sizeof(out), "%s",
                 json_object_to_json_string_ext(
                     json_object_object_get(r, "output"),
                     JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(r);
    return out;
}

T_TEST(complete_keeps_given_and_appends_implied)
{
    const char *acts = "\"execution\":{\"actions_taken\":["
                       "{\"tool\":\"Write\",\"input\":{\"file_path\":\"a.c\"}},"
                       "{\"tool\":\"Edit\",\"input\":{\"file_path\":\"b.c\"}},"
                       "{\"tool\":\"Write\",\"input\":{\"file_path\":\"b.c\"}},"
                       "{\"tool\":\"Bash\",\"input\":\"gh api x\"}]}";
    char rec[1024];

    snprintf(rec, sizeof(rec), "{%s}", acts);
    T_ASSERT_STR_EQ(complete(rec), "{\"files_modified\":[\"a.c\",\"b.c\"],"
                                   "\"commands_executed\":[\"gh api x\"],"
                                   "\"api_calls_made\":[\"gh api x\"]}");
    /* given items stay first, duplicates included; implied ones follow */
    snprintf(rec, sizeof(rec),
             "{%s,\"output\":{\"raw_response\":\"r\",\"files_modified\":["
             "\"b.c\",\"z\",\"z\"],\"api_calls_made\":[]}}",
             acts);
    T_ASSERT_STR_EQ(complete(rec),
                    "{\"raw_response\":\"r\",\"files_modified\":[\"b.c\","
                    "\"z\",\"z\",\"a.c\"],\"api_calls_made\":[\"gh api x\"],"
                    "\"commands_executed\":[\"gh api x\"]}");
    /* nothing implied: output left alone, not created */
    T_ASSERT_STR_EQ(complete("{\"execution\":{\"actions_taken\":[{\"tool\":"
                             "\"Read\"}]}}"),
                    "null");
    T_ASSERT_STR_EQ(complete("{\"execution\":{\"actions_taken\":[{\"tool\":"
                             "\"Bash\",\"input\":\"ls\"}]},\"output\":7}"),
                    "7");
}

T_TEST(complete_many_items)
{
    /* enough distinct and repeated items to grow the set several times */
    struct et_buf b = ET_BUF_INIT;
    struct json_object *r, *files;

    T_ASSERT_OK(et_buf_addstr(&b, "{\"execution\":{\"actions_taken\":["));
    for (int i = 0; i < 600; i++)
        T_ASSERT_OK(et_buf_printf(
            &b, "%s{\"tool\":\"Write\",\"input\":{\"file_path\":\"f%d\"}}",
            i ? "," : "", i % 300));
    T_ASSERT_OK(et_buf_addstr(&b, "]}}"));
    r = json_tokener_parse(et_buf_str(&b));
    T_ASSERT(r != NULL);
    T_ASSERT_OK(et__derive_complete(r));
    files = json_object_object_get(json_object_object_get(r, "output"),
                                   "files_modified");
    T_ASSERT_INT_EQ(json_object_array_length(files), 300);
    T_ASSERT_STR_EQ(json_object_get_string(json_object_array_get_idx(files, 0)),
                    "f0");
    T_ASSERT_STR_EQ(
        json_object_get_string(json_object_array_get_idx(files, 299)), "f299");
    json_object_put(r);
    et_buf_release(&b);
}

T_MAIN("derive", T_CASE(file_writing_tools), T_CASE(bash_commands_and_calls),
       T_CASE(web_and_mcp_calls), T_CASE(malformed_actions_give_nothing),
       T_CASE(complete_keeps_given_and_appends_implied),
       T_CASE(complete_many_items))
