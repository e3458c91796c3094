/* SPDX-License-Identifier: MIT */
/* Helpers shared by the exectrail commands. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *cli_db;
bool cli_quiet;

int cli_exit_for(int code)
{
    switch (code) {
    case ET_OK:
        return EXIT_OK_;
    case ET_EUSAGE:
    case ET_EINVAL:
        return EXIT_USAGE;
    case ET_EINPUT:
    case ET_ETOOBIG:
        return EXIT_INPUT;
    case ET_EINTEGRITY:
        return EXIT_INTEGRITY;
    case ET_EBUSY:
    case ET_EUNAVAIL:
    case ET_ESCHEMA:
        return EXIT_UNAVAIL;
    case ET_ENOTFOUND:
        return EXIT_NOTFOUND;
    case ET_EEXIST:
    case ET_ESTATE:
        return EXIT_CONFLICT;
    default:
        return EXIT_FAILURE_;
    }
}

int cli_fail(const char *verb, const struct et_error *err)
{
    fprintf(stderr, "exectrail %s: %s\n", verb,
            err->msg[0] ? err->msg : et_status_str(err->code));
    return cli_exit_for(err->code);
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "exectrail %s: ", verb);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'exectrail %s --help')\n", verb);
    return EXIT_USAGE;
}

int cli_open(const char *verb, bool write, struct et_trail **out)
{
    struct et_error err = ET_ERROR_INIT;
    int created = 0;
    int rc = et_trail_open(cli_db, write ? ET_OPEN_CREATE : 0, out,
                           &created, &err);

    if (rc)
        return cli_fail(verb, &err);
    if (created && !cli_quiet && strcmp(verb, "init") != 0)
        fprintf(stderr, "exectrail: created a new trail at %s\n",
                et_trail_path(*out));
    return 0;
}

int cli_read_input(const char *verb, const char *path, size_t max,
                   char **out, size_t *len_out)
{
    FILE *f = stdin;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;

    *out = NULL;
    *len_out = 0;
    if (path && strcmp(path, "-") != 0) {
        f = fopen(path, "rb");
        if (!f) {
            fprintf(stderr, "exectrail %s: cannot read %s: %s\n", verb, path,
                    strerror(errno));
            return EXIT_INPUT;
        }
    }
    do {
        if (len == cap) {
            char *p;

            cap = cap ? cap * 2 : 65536;
            if (cap > max + 1)
                cap = max + 1;
            p = realloc(buf, cap + 1);
            if (!p) {
                free(buf);
                if (f != stdin)
                    fclose(f);
                fprintf(stderr, "exectrail %s: out of memory\n", verb);
                return EXIT_FAILURE_;
            }
            buf = p;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0 && len <= max);
    if (f != stdin)
        fclose(f);
    if (len > max) {
        free(buf);
        fprintf(stderr,
                "exectrail %s: input is larger than the %zu-byte limit\n",
                verb, max);
        return EXIT_INPUT;
    }
    buf[len] = '\0';
    *out = buf;
    *len_out = len;
    return 0;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return true;
    }
    return false;
}

bool cli_set_str(struct json_object *obj, const char *key, const char *value)
{
    struct json_object *v;

    if (!value)
        return true;
    v = json_object_new_string(value);
    if (!v || json_object_object_add(obj, key, v)) {
        json_object_put(v);
        return false;
    }
    return true;
}

struct json_object *cli_child(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    if (json_object_object_get_ex(obj, key, &v) &&
        json_object_is_type(v, json_type_object))
        return v;
    v = json_object_new_object();
    json_object_object_add(obj, key, v);
    return v;
}

/*
 * Flags win over the file: add only what is not already set, level by
 * level, so that `--agent X --json F` keeps F's agent_metadata.version and
 * `--status S --json F` keeps F's verification.expected_vs_actual.
 */
static void merge_missing(struct json_object *obj, struct json_object *in)
{
    json_object_object_foreach(in, k, v)
    {
        struct json_object *cur = NULL;

        if (!json_object_object_get_ex(obj, k, &cur))
            json_object_object_add(obj, k, json_object_get(v));
        else if (json_object_is_type(cur, json_type_object) &&
                 json_object_is_type(v, json_type_object))
            merge_missing(cur, v);
    }
}

/* et_json_check allows 64 levels; json-c's default is 32 */
#define ET_CLI_JSON_DEPTH 65

int cli_merge_json(const char *verb, struct json_object *obj,
                   const char *path)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_tokener *tok;
    struct json_object *in;
    char *text;
    size_t len;
    int rc = cli_read_input(verb, path, CLI_MAX_INPUT, &text, &len);

    if (rc)
        return rc;
    /* as strict as record: one JSON text, UTF-8, no NUL, no duplicate
     * keys, the default limits; json-c (lenient) only builds the tree */
    if (et_json_check(text, len, &err) != ET_OK) {
        free(text);
        fprintf(stderr, "exectrail %s: --json: %s\n", verb, err.msg);
        return cli_exit_for(err.code);
    }
    tok = json_tokener_new_ex(ET_CLI_JSON_DEPTH);
    in = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    json_tokener_free(tok);
    free(text);
    if (!in || !json_object_is_type(in, json_type_object)) {
        fprintf(stderr, "exectrail %s: --json: expected a JSON object, "
                        "got %s\n",
                verb, in ? json_type_to_name(json_object_get_type(in))
                         : "nothing");
        json_object_put(in);
        return EXIT_INPUT;
    }
    merge_missing(obj, in);
    json_object_put(in);
    return 0;
}

const char *cli_json_text(struct json_object *obj, size_t *len_out)
{
    return json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
        len_out);
}

void cli_time(long long ns, char out[32])
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;

    if (ns <= 0 || !gmtime_r(&t, &tm)) {
        snprintf(out, 32, "-");
        return;
    }
    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

bool cli_is_tty(FILE *f)
{
    return isatty(fileno(f)) != 0;
}

int cli_usage_option(const char *verb, int opt, const char *arg,
                     struct json_object *doc)
{
    struct json_object *u = cli_child(doc, "usage");
    size_t n;
    double v;
    char *end;

    switch (opt) {
    case CLI_OPT_MODEL:
        if (!*arg)
            return cli_usage_error(verb, "--model takes a model name");
        cli_set_str(u, "model", arg);
        return 0;
    case CLI_OPT_TOKENS_IN:
    case CLI_OPT_TOKENS_OUT:
        if (cli_parse_count(verb,
                            opt == CLI_OPT_TOKENS_IN ? "--tokens-in"
                                                     : "--tokens-out",
                            arg, true, &n))
            return EXIT_USAGE;
        json_object_object_add(
            u, opt == CLI_OPT_TOKENS_IN ? "input_tokens" : "output_tokens",
            json_object_new_int64((int64_t)n));
        return 0;
    case CLI_OPT_COST:
        errno = 0;
        v = strtod(arg, &end);
        if (errno || end == arg || *end || !isfinite(v) || v < 0)
            return cli_usage_error(verb, "--cost takes an amount in USD "
                                         "(a number, 0 or more)");
        json_object_object_add(u, "cost_usd", json_object_new_double(v));
        return 0;
    default: return cli_usage_error(verb, "unknown option");
    }
}

/*
 * The record's `usage` is one object: a phase that sets some of its
 * members keeps the others given before (start --model, then complete
 * --tokens-in), as the projection replaces the object as a whole.
 */
static void keep_usage(struct et_trail *t, const char *id,
                       struct json_object *obj)
{
    struct json_object *u, *rec = NULL, *old;
    char *text = NULL;
    size_t len = 0;

    if (!json_object_object_get_ex(obj, "usage", &u) ||
        !json_object_is_type(u, json_type_object))
        return;
    if (et_trail_show(t, id, 0, &text, &len, NULL))
        return; /* the phase itself reports a bad id */
    rec = json_tokener_parse(text);
    if (rec && json_object_object_get_ex(rec, "usage", &old) &&
        json_object_is_type(old, json_type_object)) {
        json_object_object_foreach(old, k, v)
        {
            if (!json_object_object_get_ex(u, k, NULL))
                json_object_object_add(u, k, json_object_get(v));
        }
    }
    json_object_put(rec);
    et_trail_free_string(text);
}

int cli_run_phase(const char *verb, int argc, char **argv, int optind_,
                  struct json_object *obj, const char *json_path,
                  cli_phase_fn *fn)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *text;
    size_t len;
    int rc;

    if (optind_ + 1 != argc)
        return cli_usage_error(verb, "give the execution id");
    if (json_path && (rc = cli_merge_json(verb, obj, json_path)))
        return rc;
    rc = cli_open(verb, true, &t);
    if (rc)
        return rc;
    keep_usage(t, argv[optind_], obj);
    text = cli_json_text(obj, &len);
    rc = fn(t, argv[optind_], text, len, &err);
    et_trail_close(t);
    return rc ? cli_fail(verb, &err) : 0;
}

int cli_parse_count(const char *verb, const char *opt, const char *arg,
                    bool allow_zero, size_t *out)
{
    char *end;

    errno = 0;
    *out = (size_t)strtoull(arg, &end, 10);
    if (errno || *end || *arg == '-' || *arg == '+' || !*arg ||
        (!allow_zero && *out == 0))
        return cli_usage_error(verb, "%s takes a %snumber", opt,
                               allow_zero ? "" : "positive ");
    return 0;
}

void cli_csv_field(const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

/* o[key] = v (JSON null for NULL); false when out of memory */
static bool add_str(struct json_object *o, const char *key, const char *v)
{
    struct json_object *j = NULL;

    if (v && !(j = json_object_new_string(v)))
        return false;
    if (json_object_object_add(o, key, j)) {
        json_object_put(j);
        return false;
    }
    return true;
}

/* o[key] = v (JSON null for a negative v: unknown) */
static bool add_i64(struct json_object *o, const char *key, int64_t v)
{
    struct json_object *j = NULL;

    if (v >= 0 && !(j = json_object_new_int64(v)))
        return false;
    if (json_object_object_add(o, key, j)) {
        json_object_put(j);
        return false;
    }
    return true;
}

int cli_print_summary(enum cli_fmt fmt, size_t row,
                      const struct et_exec_summary *s)
{
    char when[32], dur[32];

    if (fmt == CLI_IDS) {
        printf("%s\n", s->execution_id);
        return ferror(stdout) ? ET_EIO : 0;
    }
    if (fmt == CLI_CSV) {
        if (row == 1)
            fputs(CLI_CSV_HEADER, stdout);
        cli_time(s->start_ns, when);
        printf("%s,", s->execution_id);
        cli_csv_field(s->session_id);
        putchar(',');
        cli_csv_field(s->agent_name);
        printf(",%s,%s,%s,", s->state ? s->state : "",
               s->verification ? s->verification : "",
               s->start_ns > 0 ? when : "");
        if (s->duration_ms >= 0)
            printf("%lld", (long long)s->duration_ms);
        printf(",%lld,%lld\n", (long long)s->n_actions,
               (long long)s->n_failed_actions);
        return 0;
    }
    if (fmt == CLI_JSONL || fmt == CLI_JSON) {
        struct json_object *o = json_object_new_object();
        bool okj = o != NULL;

        okj = okj && add_str(o, "execution_id", s->execution_id) &&
              add_str(o, "session_id", s->session_id) &&
              add_str(o, "agent", s->agent_name) &&
              add_str(o, "state", s->state) &&
              add_str(o, "verification", s->verification) &&
              add_i64(o, "start_ns", s->start_ns) &&
              add_i64(o, "duration_ms", s->duration_ms) &&
              add_i64(o, "actions", s->n_actions) &&
              add_i64(o, "failed_actions", s->n_failed_actions);
        if (!okj) {
            json_object_put(o);
            return ET_ENOMEM;
        }
        if (fmt == CLI_JSON)
            printf("%s%s", row == 1 ? "[\n" : ",\n",
                   cli_json_text(o, NULL));
        else
            printf("%s\n", cli_json_text(o, NULL));
        json_object_put(o);
        return 0;
    }
    if (row == 1)
        printf("%-36s  %-19s  %-20s  %-10s  %9s  %7s  %s\n", "EXECUTION",
               "STARTED (UTC)", "AGENT", "STATE", "DURATION", "ACTIONS",
               "VERIFIED");
    cli_time(s->start_ns, when);
    if (s->duration_ms >= 0)
        snprintf(dur, sizeof(dur), "%.1fs", (double)s->duration_ms / 1000.0);
    else
        snprintf(dur, sizeof(dur), "-");
    printf("%-36s  %-19s  %-20.20s  %-10s  %9s  %3lld/%-3lld  %s\n",
           s->execution_id, when, s->agent_name ? s->agent_name : "-",
           s->state ? s->state : "-", dur,
           (long long)(s->n_actions - s->n_failed_actions),
           (long long)s->n_actions, s->verification ? s->verification : "-");
    return 0;
}


const char *const cli_fmt_names[] = {"table", "json", "jsonl", "csv", "ids",
                                     NULL};

int cli_parse_format(const char *verb, const char *arg,
                     const char *const *names, int *out)
{
    char list[160] = "";
    size_t n = 0;

    for (int i = 0; names[i]; i++) {
        bool human = !strcmp(names[i], "table") || !strcmp(names[i], "text");

        if (!strcmp(arg, names[i]) ||
            (human && (!strcmp(arg, "table") || !strcmp(arg, "text")))) {
            *out = i;
            return 0;
        }
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
                              i ? ", " : "", names[i]);
        if (n >= sizeof(list))
            n = sizeof(list) - 1;
    }
    return cli_usage_error(verb, "--format: one of %s (not '%s')", list,
                           arg);
}

int cli_check_inputs(const char *verb, char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], "-") != 0 && access(paths[i], R_OK) != 0) {
            fprintf(stderr, "exectrail %s: cannot read %s: %s\n", verb,
                    paths[i], strerror(errno));
            return EXIT_INPUT;
        }
    return 0;
}

static int write_all(const char *path, const char *data, size_t len,
                     const char *tail)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ssize_t w = 0;
    size_t off = 0;

    if (fd < 0)
        return -1;
    while (off < len && (w = write(fd, data + off, len - off)) > 0)
        off += (size_t)w;
    if (off == len && tail && write(fd, tail, strlen(tail)) < 0)
        off = 0;
    if (off != len || fsync(fd) != 0) {
        close(fd);
        return -1;
    }
    return close(fd);
}

int cli_save_file(const char *who, const char *path, const char *raw,
                  size_t rawlen, bool exists, const char *text,
                  const char *tail)
{
    char tmp[PATH_MAX + 16], bak[PATH_MAX + 8], dir[PATH_MAX], copy[PATH_MAX];
    struct stat sb;
    int dfd;

    snprintf(copy, sizeof(copy), "%s", path);
    snprintf(dir, sizeof(dir), "%s", dirname(copy));
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "exectrail %s: cannot create %s: %s\n", who, dir,
                strerror(errno));
        return EXIT_FAILURE_;
    }
    snprintf(bak, sizeof(bak), "%s.bak", path);
    if (exists && write_all(bak, raw, rawlen, NULL) != 0) {
        fprintf(stderr, "exectrail %s: cannot write backup %s: %s\n", who, bak,
                strerror(errno));
        return EXIT_FAILURE_;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (write_all(tmp, text, strlen(text), tail) != 0 ||
        (exists && stat(path, &sb) == 0 && chmod(tmp, sb.st_mode & 07777)) ||
        rename(tmp, path) != 0) {
        fprintf(stderr, "exectrail %s: cannot write %s: %s\n", who, path,
                strerror(errno));
        unlink(tmp);
        return EXIT_FAILURE_;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}
