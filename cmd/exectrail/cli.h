/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the exectrail command line: the command table, exit
 * statuses, option helpers, input reading and error printing.
 */
#ifndef ET_CMD_CLI_H
#define ET_CMD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

#include "exectrail/exectrail.h"

/* Exit statuses (documented in docs/CLI.md and `exectrail help`). */
enum cli_exit {
    EXIT_OK_ = 0,
    EXIT_FAILURE_ = 1,   /* any other failure */
    EXIT_USAGE = 2,      /* bad command line */
    EXIT_INPUT = 3,      /* invalid input: nothing was stored */
    EXIT_INTEGRITY = 4,  /* verification failed: the trail was altered */
    EXIT_UNAVAIL = 5,    /* store unavailable (missing, locked, read-only) */
    EXIT_NOTFOUND = 6,   /* no such execution */
    EXIT_CONFLICT = 7,   /* state conflict: already recorded, out of order */
};

struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

extern const char *cli_db; /* --db, or NULL */
extern bool cli_quiet;

/* Exit status for a library status code. */
int cli_exit_for(int code);
/* Print "exectrail VERB: msg" to stderr and return the exit status. */
int cli_fail(const char *verb, const struct et_error *err);
int cli_usage_error(const char *verb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Open the trail (create on write). Prints the error itself. */
int cli_open(const char *verb, bool write, struct et_trail **out);
/*
 * Read a whole file ("-" = stdin) into a NUL-terminated buffer, at most max
 * bytes; returns 0 or an exit status (error printed). *len_out = length.
 */
int cli_read_input(const char *verb, const char *path, size_t max,
                   char **out, size_t *len_out);
/*
 * Check that each input path ("-" = stdin) can be read before anything is
 * opened or stored; EXIT_INPUT with "cannot read PATH: why" when not.
 */
int cli_check_inputs(const char *verb, char *const *paths, size_t n);
/* True when `-h`/`--help` is among the arguments. */
bool cli_wants_help(int argc, char **argv);
/* Set obj[key] = string value when value is non-NULL; false when out of
 * memory. */
bool cli_set_str(struct json_object *obj, const char *key, const char *value);
/* obj[key] as an object, created when absent. */
struct json_object *cli_child(struct json_object *obj, const char *key);
/* Merge the JSON object in `path` (file or "-") into obj; exit status. */
int cli_merge_json(const char *verb, struct json_object *obj,
                   const char *path);
/*
 * Usage options of the lifecycle verbs (start, complete): --model,
 * --tokens-in, --tokens-out, --cost fill the root extension object `usage`
 * (model, input_tokens, output_tokens, cost_usd; docs/RECORD.md). Put
 * CLI_USAGE_OPTIONS in the getopt table and pass every option value it
 * returns to cli_usage_option (0, or EXIT_USAGE with the error printed).
 */
enum {
    CLI_OPT_MODEL = 0x100,
    CLI_OPT_TOKENS_IN,
    CLI_OPT_TOKENS_OUT,
    CLI_OPT_COST,
};
#define CLI_USAGE_OPTIONS                                                      \
    {"model", required_argument, 0, CLI_OPT_MODEL},                            \
        {"tokens-in", required_argument, 0, CLI_OPT_TOKENS_IN},                \
        {"tokens-out", required_argument, 0, CLI_OPT_TOKENS_OUT},              \
        {"cost", required_argument, 0, CLI_OPT_COST}
#define CLI_USAGE_HELP                                                         \
    "  --model NAME          usage.model: the model the agent ran on\n"       \
    "  --tokens-in N         usage.input_tokens\n"                            \
    "  --tokens-out N        usage.output_tokens\n"                           \
    "  --cost USD            usage.cost_usd (a number, e.g. 0.0125)\n"
int cli_usage_option(const char *verb, int opt, const char *arg,
                     struct json_object *doc);
typedef int cli_phase_fn(struct et_trail *t, const char *id,
                         const char *json, size_t len, struct et_error *err);
/*
 * The common end of a phase verb: check that exactly one argument (the
 * execution id) is left at argv[optind], merge --json (when json_path is
 * set) into obj, open the trail and call fn with obj's JSON. Returns the
 * exit status (errors printed).
 */
int cli_run_phase(const char *verb, int argc, char **argv, int optind_,
                  struct json_object *obj, const char *json_path,
                  cli_phase_fn *fn);
/*
 * Parse a count given to option opt of verb (decimal, no sign). Zero is
 * refused unless allow_zero. Returns 0, or EXIT_USAGE with the error printed.
 */
int cli_parse_count(const char *verb, const char *opt, const char *arg,
                    bool allow_zero, size_t *out);
/* Compact JSON text of obj (owned by obj). */
const char *cli_json_text(struct json_object *obj, size_t *len_out);
/* Format ns as RFC 3339 ms into out (32 bytes). */
void cli_time(long long ns, char out[32]);
bool cli_is_tty(FILE *f);
/* One CSV field on stdout, quoted when needed (NULL: empty). */
void cli_csv_field(const char *s);

/* The record formats shared by the commands that print executions. */
enum cli_fmt { CLI_TABLE, CLI_JSON, CLI_JSONL, CLI_CSV, CLI_IDS };
/* Their names, in enum order (NULL-terminated, for cli_parse_format). */
extern const char *const cli_fmt_names[];
/*
 * Print one execution summary as row `row` (1-based: the table and CSV
 * headers come before row 1; JSON opens its array there, the caller
 * closes it). Returns 0 or an et_status.
 */
/*
 * --format ARG for verb: *out = the index of ARG in the NULL-terminated
 * names; "table" and "text" are one another's aliases (the human form).
 * Returns 0, or EXIT_USAGE with the choices printed.
 */
int cli_parse_format(const char *verb, const char *arg,
                     const char *const *names, int *out);
/* The CSV header of cli_print_summary (printed with row 1). */
#define CLI_CSV_HEADER                                                         \
    "execution_id,session_id,agent,state,verification,timestamp_start,"       \
    "duration_ms,actions,failed_actions\n"
int cli_print_summary(enum cli_fmt fmt, size_t row,
                      const struct et_exec_summary *s);

#define CLI_MAX_INPUT ((size_t)16 << 20)

int cmd_init(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_delegate(int argc, char **argv);
int cmd_action(int argc, char **argv);
int cmd_respond(int argc, char **argv);
int cmd_complete(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_witness(int argc, char **argv);
/* The witness directory: given, else <data dir>/witness; 0 or (after a
 * message) an exit status. */
int cli_witness_dir(const char *verb, const char *given, char *out,
                    size_t cap);
int cmd_proof(int argc, char **argv);
int cmd_rebuild(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_creds(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_spool(int argc, char **argv);
int cmd_hooks(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_import_claude_code(int argc, char **argv);
int cmd_import_otlp(int argc, char **argv);
int cmd_verify_outcome(int argc, char **argv);
int cmd_similar(int argc, char **argv);
int cmd_insights(int argc, char **argv);
int cmd_retention(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_unhold(int argc, char **argv);
int cmd_archive(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_note(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_erase(int argc, char **argv);

/*
 * Replace a settings file the way `hooks install` and `mcp install` do: the
 * old content (raw, rawlen; when exists) saved as PATH.bak, text (+ tail,
 * may be NULL) written to a temporary file beside it, fsynced, given the old
 * file's mode and renamed over it, then the directory fsynced. who names the
 * command in messages. Returns 0 or EXIT_FAILURE_ (message printed).
 */
int cli_save_file(const char *who, const char *path, const char *raw,
                  size_t rawlen, bool exists, const char *text,
                  const char *tail);

#endif /* ET_CMD_CLI_H */
