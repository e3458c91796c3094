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
#include "config/yaml.h"
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
                    "ls|a:aws s3 ls");
    /* an option's value before the subcommand is no subcommand */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"kubectl -n "
                             "prod rollout status deploy/x\"}"),
                    "c:kubectl -n prod rollout status deploy/x|a:kubectl "
                    "rollout status");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"gh -R o/r pr "
                             "view 3 --json title\"}"),
                    "c:gh -R o/r pr view 3 --json title|a:gh pr view");
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"Bash\",\"input\":\"kubectl "
                             "--namespace=prod get pods\"}"),
                    "c:kubectl --namespace=prod get pods|a:kubectl get pods");
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

/* ---- models used ---- */

static char *models(const char *rec_json)
{
    static char out[1024];
    struct json_object *r = json_tokener_parse(rec_json);

    if (!r)
        return NULL;
    if (et__derive_models(r))
        snprintf(out, sizeof(out), "ERROR");
    else
        snprintf(
            out, sizeof(out), "%s",
            json_object_to_json_string_ext(
                json_object_object_get(
                    json_object_object_get(r, "agent_metadata"), "models_used"),
                JSON_C_TO_STRING_PLAIN));
    json_object_put(r);
    return out;
}

T_TEST(models_from_given_usage_and_actions)
{
    /* given, the Agent result's usage and each action's turn, sorted, once */
    T_ASSERT_STR_EQ(
        models("{\"agent_metadata\":{\"name\":\"x\",\"models_used\":[\"m3\"]},"
               "\"output\":{\"usage\":{\"models_used\":[\"m2\",\"m3\"],"
               "\"resolved_model\":\"m1\"}},"
               "\"execution\":{\"actions_taken\":[{\"model\":\"m4\"},"
               "{\"model\":\"m1\"},{\"tool\":\"Read\"},{\"model\":7}]}}"),
        "[\"m1\",\"m2\",\"m3\",\"m4\"]");
    /* nothing known: nothing added */
    T_ASSERT_STR_EQ(models("{\"agent_metadata\":{\"name\":\"x\"},"
                           "\"execution\":{\"actions_taken\":[{}]}}"),
                    "null");
    /* malformed places are shown as stored, not completed */
    T_ASSERT_STR_EQ(models("{\"agent_metadata\":{\"models_used\":\"m\"},"
                           "\"execution\":{\"actions_taken\":"
                           "[{\"model\":\"a\"}]}}"),
                    "\"m\"");
    T_ASSERT_STR_EQ(models("{\"agent_metadata\":5,\"execution\":{"
                           "\"actions_taken\":[{\"model\":\"a\"}]}}"),
                    "null");
}

/* ---- the table from config.yaml's capture: section ---- */

static int table_of(const char *yaml, struct et__derive_table **tab,
                    struct et_error *err)
{
    struct et_yaml_doc *d = NULL;
    int rc = et_yaml_load_mem(yaml, strlen(yaml), "config.yaml", &d, err);

    if (!rc)
        rc = et__derive_table_load(
            d, json_object_object_get(et_yaml_root(d), "capture"), tab, err);
    et_yaml_free(d);
    return rc;
}

static char *items_with(const struct et__derive_table *tab,
                        const char *action_json)
{
    static char out[2048];
    struct json_object *a = json_tokener_parse(action_json);
    struct et_buf b = ET_BUF_INIT;
    int rc;

    if (!a)
        return NULL;
    rc = et__derive_action_with(tab, a, collect, &b);
    json_object_put(a);
    snprintf(out, sizeof(out), "%s", rc ? "ERROR" : et_buf_str(&b));
    et_buf_release(&b);
    return out;
}

T_TEST(config_extends_the_table)
{
    struct et__derive_table *tab = NULL;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT_OK(table_of("capture:\n"
                         "  file_tools: {MyWriter: target, Edit: path, "
                         "NotebookEdit: null}\n"
                         "  command_tools: {shell: cmd}\n"
                         "  api_tools: {Fetch: url}\n"
                         "  network_commands: [httpie2, psql]\n",
                         &tab, &err));
    /* added tools */
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"MyWriter\",\"input\":{"
                                    "\"target\":\"out/x.txt\"}}"),
                    "f:out/x.txt");
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"Fetch\",\"input\":{"
                                    "\"url\":\"https://h/\"}}"),
                    "a:Fetch https://h/");
    /* a new command tool gets the network rules too; configured programs
     * record a URL when they have one, else the two first words */
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"shell\",\"input\":{"
                                    "\"cmd\":\"httpie2 GET https://h/a && "
                                    "psql -h db service list\"}}"),
                    "c:httpie2 GET https://h/a && psql -h db service list|"
                    "a:httpie2 https://h/a|a:psql db service");
    /* a changed field, a removed tool, built-ins kept */
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"Edit\",\"input\":{"
                                    "\"path\":\"p\",\"file_path\":\"q\"}}"),
                    "f:p");
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"NotebookEdit\",\"input\":"
                                    "{\"notebook_path\":\"n.ipynb\"}}"),
                    "");
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"Write\",\"input\":{"
                                    "\"file_path\":\"w\"}}"),
                    "f:w");
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"Bash\",\"input\":\"gh "
                                    "pr list\"}"),
                    "c:gh pr list|a:gh pr list");
    /* the built-in table is untouched */
    T_ASSERT_STR_EQ(items_of("{\"tool\":\"MyWriter\",\"input\":{"
                             "\"target\":\"x\"}}"),
                    "");
    et__derive_table_free(tab);

    /* mapping form of network_commands: styles, and removing a built-in */
    T_ASSERT_OK(table_of("capture:\n  network_commands:\n    curl: null\n"
                         "    s5cmd: subcommand\n    grpcurl: url\n",
                         &tab, &err));
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"Bash\",\"input\":\"curl "
                                    "https://h/; s5cmd --stat ls s3://b; "
                                    "grpcurl -plaintext h:1 list\"}"),
                    "c:curl https://h/; s5cmd --stat ls s3://b; grpcurl "
                    "-plaintext h:1 list|a:s5cmd ls s3://b|a:grpcurl");
    et__derive_table_free(tab);

    /* no section, an empty one: the built-in table */
    T_ASSERT_OK(table_of("security: {}\n", &tab, &err));
    T_ASSERT_STR_EQ(items_with(tab, "{\"tool\":\"Write\",\"input\":{"
                                    "\"file_path\":\"w\"}}"),
                    "f:w");
    et__derive_table_free(tab);
    T_ASSERT_OK(table_of("capture:\n", &tab, &err));
    et__derive_table_free(tab);
}

T_TEST(config_errors_name_the_key)
{
    static const struct {
        const char *yaml, *msg;
    } bad[] = {
        {"capture: [1]\n", "config.yaml:1:10: capture: expected a mapping"},
        {"capture:\n  file_tool: {}\n",
         "config.yaml:2:14: capture: unknown setting 'file_tool' (known: "
         "file_tools, command_tools, api_tools, network_commands)"},
        {"capture:\n  file_tools: [Write]\n",
         "config.yaml:2:15: capture.file_tools: expected a mapping"},
        {"capture:\n  file_tools: {MyWriter: 3}\n",
         "config.yaml:2:26: capture.file_tools.MyWriter: expected an input "
         "field name or null (to remove it)"},
        {"capture:\n  file_tools: {\"My Writer\": path}\n",
         "capture.file_tools: 'My Writer' is not a tool name"},
        {"capture:\n  network_commands: [/usr/bin/x]\n",
         "config.yaml:2:22: capture.network_commands: '/usr/bin/x' is not a "
         "program name"},
        {"capture:\n  network_commands: [3]\n",
         "config.yaml:2:22: capture.network_commands: expected a program "
         "name"},
        {"capture:\n  network_commands: {xh: fast}\n",
         "config.yaml:2:26: capture.network_commands.xh: unknown style "
         "'fast' (known: url, subcommand, auto)"},
        {"capture:\n  network_commands: xh\n",
         "config.yaml:2:21: capture.network_commands: expected a mapping or "
         "a list of program names"},
        {"capture:\n  api_tools: {Fetch: \"\"}\n",
         "capture.api_tools.Fetch: expected an input field name or null"},
    };

    for (size_t i = 0; i < ET_ARRAY_SIZE(bad); i++) {
        struct et__derive_table *tab = (struct et__derive_table *)&tab;
        struct et_error err = ET_ERROR_INIT;

        T_ASSERT_INT_EQ(table_of(bad[i].yaml, &tab, &err), ET_EINPUT);
        T_ASSERT(tab == NULL);
        if (!strstr(err.msg, bad[i].msg))
            T_ASSERT_STR_EQ(err.msg, bad[i].msg);
    }
}

T_TEST(config_too_many_entries)
{
    struct et_buf y = ET_BUF_INIT;
    struct et__derive_table *tab = NULL;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT_OK(et_buf_addstr(&y, "capture:\n  network_commands: ["));
    for (int i = 0; i < 300; i++)
        T_ASSERT_OK(et_buf_printf(&y, "%sp%d", i ? ", " : "", i));
    T_ASSERT_OK(et_buf_addstr(&y, "]\n"));
    T_ASSERT_INT_EQ(table_of(et_buf_str(&y), &tab, &err), ET_EINPUT);
    T_ASSERT(strstr(err.msg, "capture.network_commands: more than 256 "
                             "entries") != NULL);
    et_buf_release(&y);
}

T_MAIN("derive", T_CASE(file_writing_tools), T_CASE(bash_commands_and_calls),
       T_CASE(web_and_mcp_calls), T_CASE(malformed_actions_give_nothing),
       T_CASE(complete_keeps_given_and_appends_implied),
       T_CASE(complete_many_items), T_CASE(models_from_given_usage_and_actions),
       T_CASE(config_extends_the_table), T_CASE(config_errors_name_the_key),
       T_CASE(config_too_many_entries))
