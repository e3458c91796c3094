/* SPDX-License-Identifier: MIT */
/*
 * Baseline for the transcript import benchmark: read every .jsonl file
 * under the given directories and parse each line with json-c, doing
 * nothing else. Prints "files=N bytes=N lines=N".
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static unsigned long long files, bytes, lines;

static void scan_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (!f)
        return;
    files++;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_object *o = json_tokener_parse(line);

        bytes += (unsigned long long)n;
        lines++;
        json_object_put(o);
    }
    free(line);
    fclose(f);
}

static void walk(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *de;

    if (stat(path, &sb) != 0)
        return;
    if (!S_ISDIR(sb.st_mode)) {
        size_t l = strlen(path);

        if (l > 6 && !strcmp(path + l - 6, ".jsonl"))
            scan_file(path);
        return;
    }
    d = opendir(path);
    if (!d)
        return;
    while ((de = readdir(d)) != NULL) {
        char p[PATH_MAX];

        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
        walk(p);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        walk(argv[i]);
    printf("files=%llu bytes=%llu lines=%llu\n", files, bytes, lines);
    return 0;
}
