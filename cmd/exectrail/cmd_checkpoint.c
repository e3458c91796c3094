/* SPDX-License-Identifier: MIT */
/* exectrail checkpoint: sign the tree head. */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char help[] =
    "usage: exectrail checkpoint [--out FILE] [--push DIR|GIT_REMOTE]\n"
    "       exectrail checkpoint (--push URL --witness-key VKEY)... [--out FILE]\n"
    "       exectrail checkpoint --identity\n\n"
    "Sign the current tree head (size, root hash, time) with the trail's\n"
    "Ed25519 key and print the checkpoint (a C2SP signed note, see\n"
    "docs/LEDGER.md). Keep it anywhere (a git repo, a ticket, an email):\n"
    "'exectrail verify --checkpoint FILE' later proves the trail still\n"
    "extends it.\n\n"
    "  --out FILE  write it to FILE (replaced through a temporary file and\n"
    "              a rename: a symlink at FILE is replaced, never followed)\n"
    "  --push DIR  also write it as a new file in DIR (never overwriting),\n"
    "              checkpoint-<size>-<time>.note; when DIR is in a git work\n"
    "              tree, commit it there, and when its branch has an\n"
    "              upstream, git push (a clone of a repository kept on\n"
    "              another machine). Keep the copies off this machine: the\n"
    "              key beside the store can re-sign everything local\n"
    "              (docs/SECURITY.md).\n"
    "  --push GIT_REMOTE  (git@host:path, ssh://, git://, file:// or a URL\n"
    "              ending in .git) the same through a clone of it kept in\n"
    "              the data directory: pulled, committed, pushed\n"
    "  --push URL  (http:// or https://) have the C2SP tlog-witness at URL\n"
    "              cosign it, proving from the size the witness holds that\n"
    "              this trail extends what it saw; prints (or writes to\n"
    "              --out) the checkpoint with the witness's cosignature.\n"
    "              Exit 4 when the witness holds a tree this trail does not\n"
    "              extend (rolled back, forked or altered), 6 when it does\n"
    "              not know this log.\n"
    "  --witness-key VKEY\n"
    "              the witness's verifier key (exectrail witness init on the\n"
    "              witness prints it); only its cosignature is kept. Up to 8\n"
    "              pairs: the i-th key goes with the i-th URL, and the one\n"
    "              checkpoint printed carries every witness's cosignature\n"
    "  --identity  print this log's origin and verifier key on one line:\n"
    "              what a witness trusts (exectrail witness trust ORIGIN VKEY)\n";

static int write_all(int fd, const char *s)
{
    size_t n = strlen(s);

    while (n) {
        ssize_t w = write(fd, s, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return fsync(fd);
}

/* path gets note via a temporary file beside it and a rename (never
 * following a symlink at path). */
static int write_replace(const char *path, const char *note)
{
    char tmp[PATH_MAX];
    int fd, e;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0644) != 0 || write_all(fd, note) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

/* A git remote rather than a witness URL or a directory: git@host:path,
 * ssh://, git://, file://, or any URL ending in .git */
static bool is_git_remote(const char *s)
{
    size_t n = strlen(s);

    return strncmp(s, "git@", 4) == 0 || strncmp(s, "ssh://", 6) == 0 ||
           strncmp(s, "git://", 6) == 0 || strncmp(s, "file://", 7) == 0 ||
           (n > 4 && strcmp(s + n - 4, ".git") == 0);
}

/* --out FILE: write_replace, or say why not (-1) */
static int save(const char *out, const char *note)
{
    if (write_replace(out, note) == 0)
        return 0;
    fprintf(stderr, "exectrail checkpoint: cannot write %s: %s\n", out,
            strerror(errno));
    return -1;
}

static int run_git(const char *dir, const char *const *args)
{
    char *argv[12] = {NULL};
    pid_t pid;
    int st = 0, n = 0, rc;

    argv[n++] = strdup("git");
    argv[n++] = strdup("-C");
    argv[n++] = strdup(dir);
    for (size_t i = 0; args[i] && n < 11; i++)
        argv[n++] = strdup(args[i]);
    rc = 0;
    for (int i = 0; i < n; i++)
        if (!argv[i])
            rc = -1;
    /* git's own output would mix with ours: sent to /dev/null */
    if (!rc) {
        posix_spawn_file_actions_t fa;

        if (posix_spawn_file_actions_init(&fa) != 0)
            rc = -1;
        else {
            if (posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
                                                 O_WRONLY, 0) != 0 ||
                posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
                                                 O_WRONLY, 0) != 0 ||
                posix_spawnp(&pid, "git", &fa, NULL, argv, environ) != 0)
                rc = -1;
            posix_spawn_file_actions_destroy(&fa);
        }
    }
    for (int i = 0; i < n; i++)
        free(argv[i]);
    if (rc)
        return -1;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A new file in dir (O_EXCL|O_NOFOLLOW: never an existing name), then a
 * git commit when dir is in a work tree, and a git push when its branch
 * has an upstream. */
static int push(const char *dir, const char *note)
{
    char name[PATH_MAX], when[32];
    unsigned long long size = 0;
    const char *nl = strchr(note, '\n');
    time_t now = time(NULL);
    struct tm tm;
    struct stat sb;
    int fd = -1;

    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "exectrail checkpoint: --push %s: not a directory\n",
                dir);
        return EXIT_USAGE;
    }
    if (nl)
        size = strtoull(nl + 1, NULL, 10);
    gmtime_r(&now, &tm);
    strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
    for (int i = 0; fd < 0 && i < 100; i++) {
        snprintf(name, sizeof(name), i ? "%s/checkpoint-%llu-%s-%d.note"
                                       : "%s/checkpoint-%llu-%s.note",
                 dir, size, when, i);
        fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0 || write_all(fd, note) != 0) {
        fprintf(stderr, "exectrail checkpoint: cannot write in %s: %s\n", dir,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return EXIT_FAILURE_;
    }
    close(fd);
    printf("pushed %s\n", name);
    {
        const char *const inside[] = {"rev-parse", "--is-inside-work-tree",
                                      NULL};
        /* git -C dir takes paths relative to dir */
        const char *base = strrchr(name, '/') + 1;
        const char *const add[] = {"add", "--", base, NULL};
        char msg[64];
        const char *const commit[] = {"commit", "-q", "-m", msg, "--", base,
                                      NULL};

        snprintf(msg, sizeof(msg), "exectrail checkpoint %llu", size);
        if (run_git(dir, inside) != 0)
            return 0; /* a plain directory */
        if (run_git(dir, add) != 0 || run_git(dir, commit) != 0) {
            fprintf(stderr,
                    "exectrail checkpoint: wrote %s but git could not commit "
                    "it in %s\n",
                    name, dir);
            return EXIT_FAILURE_;
        }
        printf("committed %s\n", name);
        /* a branch with an upstream: the copy leaves the machine now */
        {
            const char *const upstream[] = {"rev-parse", "--abbrev-ref",
                                            "--symbolic-full-name", "@{u}",
                                            NULL};
            const char *const pushq[] = {"push", "-q", NULL};

            if (run_git(dir, upstream) != 0)
                return 0;
            if (run_git(dir, pushq) != 0) {
                fprintf(stderr,
                        "exectrail checkpoint: committed %s but git push "
                        "from %s failed; the next --push sends it too\n",
                        name, dir);
                return EXIT_FAILURE_;
            }
            printf("pushed the commit to the upstream of %s\n", dir);
        }
    }
    return 0;
}

/* ORIGIN VKEY: what a witness needs to trust this log */
static int print_identity(void)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct et_checkpoint cp;
    struct et_signer key;
    const char *vkey;
    char *note = NULL;
    int rc;

    rc = cli_open("checkpoint", false, &t);
    if (rc)
        return rc;
    /* the origin is on the first line of any checkpoint this trail signs */
    vkey = et_trail_verifier_key(t);
    rc = et_trail_latest_checkpoint(t, &note, &err);
    if (!rc && !note)
        rc = et_trail_checkpoint(t, &note, &err);
    if (!rc)
        rc = et_signer_parse(vkey, strlen(vkey), &key, &err);
    if (!rc)
        rc = et_checkpoint_verify(note, strlen(note), &key, &cp, &err);
    if (!rc)
        printf("%s %s\n", cp.origin, vkey);
    et_trail_free_string(note);
    et_trail_close(t);
    return rc ? cli_fail("checkpoint", &err) : 0;
}

#define WITNESSES_MAX 8

/* --push URL --witness-key VKEY, n times: one checkpoint cosigned by all */
static int push_witnesses(char *const *urls, char *const *keys, size_t n,
                          const char *out)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_witness_target ws[WITNESSES_MAX];
    struct et_witness_push reps[WITNESSES_MAX];
    struct et_trail *t = NULL;
    char *note = NULL;
    int rc;

    for (size_t i = 0; i < n; i++) {
        ws[i].url = urls[i];
        if (et_cosigner_parse(keys[i], strlen(keys[i]), &ws[i].key, &err) !=
            ET_OK)
            return cli_usage_error("checkpoint", "--witness-key %s: %s",
                                   keys[i], err.msg);
    }
    rc = cli_open("checkpoint", false, &t);
    if (rc)
        return rc;
    rc = et_witness_push(t, ws, n, &note, reps, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("checkpoint", &err);
    if (out && save(out, note) != 0) {
        et_trail_free_string(note);
        return EXIT_FAILURE_;
    }
    if (!out)
        fputs(note, stdout);
    for (size_t i = 0; i < n && !cli_quiet; i++)
        fprintf(stderr,
                "exectrail checkpoint: %s cosigned tree size %llu (it held "
                "%llu before)\n",
                ws[i].key.name, (unsigned long long)reps[i].size,
                (unsigned long long)reps[i].old_size);
    et_trail_free_string(note);
    return 0;
}

/*
 * --push GIT_REMOTE: a clone of it kept in the data directory
 * (checkpoint-remotes/<hash of the URL>), brought up to date, the new file
 * committed there and pushed to the remote's branch.
 */
static int push_remote(const char *url, const char *note, char *dir,
                       size_t cap)
{
    struct et_error err = ET_ERROR_INIT;
    char data[PATH_MAX], leaf[24];
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: a name, not a secret */
    struct stat sb;
    int rc;

    for (const char *p = url; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    snprintf(leaf, sizeof(leaf), "%016llx", (unsigned long long)h);
    if (et_ingest_data_dir(cli_db, data, sizeof(data), &err) != ET_OK)
        return cli_fail("checkpoint", &err);
    if (snprintf(dir, cap, "%s/checkpoint-remotes", data) >= (int)cap)
        return cli_usage_error("checkpoint", "data directory path too long");
    if (mkdir(data, 0700) != 0 && errno != EEXIST)
        return cli_usage_error("checkpoint", "cannot create %s: %s", data,
                               strerror(errno));
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "exectrail checkpoint: cannot create %s: %s\n", dir,
                strerror(errno));
        return EXIT_FAILURE_;
    }
    {
        char clone[PATH_MAX + 64];
        const char *const cl[] = {"clone", "-q", url, leaf, NULL};
        const char *const pull[] = {"pull", "-q", "--rebase", NULL};

        if (snprintf(clone, sizeof(clone), "%s/%s", dir, leaf) >=
            (int)sizeof(clone))
            return cli_usage_error("checkpoint", "path too long: %s", dir);
        if (stat(clone, &sb) != 0 && run_git(dir, cl) != 0) {
            fprintf(stderr,
                    "exectrail checkpoint: --push %s: git clone failed (is it "
                    "a repository you can push to?)\n",
                    url);
            return EXIT_FAILURE_;
        }
        /* others' checkpoints first (fails harmlessly on an empty remote) */
        (void)run_git(clone, pull);
        snprintf(dir, cap, "%s", clone);
    }
    rc = push(dir, note);
    if (rc)
        return rc;
    {
        const char *const upstream[] = {"rev-parse", "--abbrev-ref",
                                        "--symbolic-full-name", "@{u}", NULL};
        const char *const first[] = {"push", "-q", "-u", "origin", "HEAD",
                                     NULL};

        /* an empty remote: its first branch */
        if (run_git(dir, upstream) != 0) {
            if (run_git(dir, first) != 0) {
                fprintf(stderr,
                        "exectrail checkpoint: committed in %s but git push "
                        "to %s failed; the next --push sends it too\n",
                        dir, url);
                return EXIT_FAILURE_;
            }
            printf("pushed the commit to %s\n", url);
        }
    }
    return 0;
}

int cmd_checkpoint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"out", required_argument, 0, 'o'},
        {"push", required_argument, 0, 'p'},
        {"witness-key", required_argument, 0, 'w'},
        {"identity", no_argument, 0, 'i'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *out = NULL, *push_dir = NULL;
    char *urls[WITNESSES_MAX], *wkeys[WITNESSES_MAX];
    size_t n_urls = 0, n_wkeys = 0;
    bool identity = false;
    char *note = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'o': out = optarg; break;
        case 'p':
            if (is_git_remote(optarg) ||
                (strncmp(optarg, "http://", 7) != 0 &&
                 strncmp(optarg, "https://", 8) != 0)) {
                if (push_dir)
                    return cli_usage_error("checkpoint",
                                           "--push DIR: one directory");
                push_dir = optarg;
                break;
            }
            if (n_urls == WITNESSES_MAX)
                return cli_usage_error("checkpoint",
                                       "at most %d witnesses at once",
                                       WITNESSES_MAX);
            urls[n_urls++] = optarg;
            break;
        case 'w':
            if (n_wkeys == WITNESSES_MAX)
                return cli_usage_error("checkpoint",
                                       "at most %d --witness-key options",
                                       WITNESSES_MAX);
            wkeys[n_wkeys++] = optarg;
            break;
        case 'i': identity = true; break;
        default: return cli_usage_error("checkpoint", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("checkpoint", "unexpected argument '%s'",
                               argv[optind]);
    if (identity) {
        if (push_dir || out || n_urls || n_wkeys)
            return cli_usage_error("checkpoint",
                                   "--identity takes no other option");
        return print_identity();
    }
    if (n_urls != n_wkeys)
        return cli_usage_error("checkpoint",
                               "each --push URL needs its --witness-key VKEY "
                               "(the witness's verifier key; %zu URL(s), %zu "
                               "key(s))",
                               n_urls, n_wkeys);
    if (n_urls) {
        if (push_dir)
            return cli_usage_error("checkpoint",
                                   "--push DIR and --push URL: one at a time");
        return push_witnesses(urls, wkeys, n_urls, out);
    }
    if (push_dir && !is_git_remote(push_dir)) {
        struct stat sb;

        /* refused before anything is signed */
        if (stat(push_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return cli_usage_error("checkpoint", "--push %s: not a directory",
                                   push_dir);
    }
    rc = cli_open("checkpoint", false, &t);
    if (rc)
        return rc;
    rc = et_trail_checkpoint(t, &note, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("checkpoint", &err);
    if (push_dir) {
        char clone[PATH_MAX + 64];

        rc = is_git_remote(push_dir)
                 ? push_remote(push_dir, note, clone, sizeof(clone))
                 : push(push_dir, note);
        if (rc) {
            et_trail_free_string(note);
            return rc;
        }
    }
    if (out) {
        if (save(out, note) != 0) {
            et_trail_free_string(note);
            return EXIT_FAILURE_;
        }
    } else if (!push_dir) {
        fputs(note, stdout);
    }
    et_trail_free_string(note);
    return 0;
}
