/* SPDX-License-Identifier: MIT */
/*
 * The execution record of the spec ("Mandatory Tracking Fields") as C
 * structs, with a validating parser and a writer that gives back the spec's
 * JSON shape. Field by field reference, normalisations and error messages:
 * docs/RECORD.md.
 */
#ifndef ET_EXECTRAIL_RECORD_H
#define ET_EXECTRAIL_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ET_RECORD_ID_LEN 36 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */

enum et_record_flags {
    /* et_record_parse: the mandatory fields (session_id, timestamp_start,
     * agent_metadata.name, delegation.prompt_sent, and tool in each action,
     * type and description in each issue) must be present. */
    ET_RECORD_COMPLETE = 1 << 0,
    /* et_record_to_json: 2-space indent, one member per line. */
    ET_RECORD_PRETTY = 1 << 1,
};

enum et_verification_status {
    ET_VERIFY_NONE = 0, /* null or absent */
    ET_VERIFY_MATCH,
    ET_VERIFY_PARTIAL,
    ET_VERIFY_MISMATCH,
    ET_VERIFY_ERROR,
};

/* Ordered, so that LOW < MEDIUM < HIGH compares as expected. */
enum et_level {
    ET_LEVEL_NONE = 0, /* null or absent */
    ET_LEVEL_LOW,
    ET_LEVEL_MEDIUM,
    ET_LEVEL_HIGH,
};

enum et_issue_type {
    ET_ISSUE_NONE = 0, /* null or absent */
    ET_ISSUE_ERROR,
    ET_ISSUE_WARNING,
    ET_ISSUE_INFO,
};

/*
 * Conventions for every struct below:
 * - text (char *): NUL-terminated UTF-8, NULL when the JSON value is null or
 *   absent;
 * - members ending in _json hold the compact JSON text of a free-form value
 *   (the spec shows a string there, users put objects too): a string value
 *   is stored with its quotes, e.g. "\"agent-specific config\"";
 * - lists of text are (char **x, size_t n_x); an absent or null list is
 *   (NULL, 0) and is written back as [];
 * - extra_json is the compact JSON object text of the keys the spec does not
 *   define at that level, in their original order, or NULL when there are
 *   none; they are written back after the spec keys, so nothing is lost;
 * - is_present tells a JSON object (even {}) from null or absent; the writer
 *   also emits the object when any member is set.
 * All memory belongs to the record and is released by et_record_free; do not
 * replace the pointers with memory from another allocator.
 */

struct et_main_agent_context {
    bool is_present;
    char *user_request;
    char *main_agent_reasoning;
    char *expected_outcome;
    char *risk_assessment;
    char *extra_json;
};

struct et_agent_metadata {
    bool is_present;
    char *name; /* mandatory with ET_RECORD_COMPLETE */
    char *version;
    char **tools_available;
    size_t n_tools_available;
    char *configuration_json;
    char *extra_json;
};

struct et_delegation {
    bool is_present;
    char *prompt_sent;     /* mandatory with ET_RECORD_COMPLETE */
    int64_t prompt_length; /* -1 unknown; derived from prompt_sent */
    char *context_provided;
    char *instructions;
    char *extra_json;
};

struct et_action {
    int64_t sequence; /* >= 1, strictly increasing; -1 unknown */
    char *tool;       /* mandatory with ET_RECORD_COMPLETE */
    char *action;
    char *input;
    char *output;
    int64_t timestamp_ns; /* UTC; 0 unknown */
    int success;          /* 1 true, 0 false, -1 unknown */
    char *error;
    char *extra_json;
};

struct et_execution_data {
    bool is_present;
    struct et_action *actions; /* "actions_taken" */
    size_t n_actions;
    char *real_time_status_json;
    char *resource_usage_json;
    char *extra_json;
};

struct et_output {
    bool is_present;
    char *raw_response;
    char *structured_data_json;
    char **files_modified;
    size_t n_files_modified;
    char **commands_executed;
    size_t n_commands_executed;
    char **api_calls_made;
    size_t n_api_calls_made;
    char *extra_json;
};

struct et_verification {
    bool is_present;
    enum et_verification_status status;
    char *expected_vs_actual_json;
    char **success_criteria_met;
    size_t n_success_criteria_met;
    char **success_criteria_failed;
    size_t n_success_criteria_failed;
    double confidence_score;          /* in [0, 1]; NaN unknown */
    int manual_verification_required; /* 1 true, 0 false, -1 unknown */
    char *extra_json;
};

struct et_quality_metrics {
    bool is_present;
    enum et_level completeness;
    enum et_level accuracy;
    enum et_level efficiency;
    char *adherence_to_standards_json; /* a string, a number or an object */
    char *extra_json;
};

struct et_issue {
    enum et_issue_type type; /* mandatory with ET_RECORD_COMPLETE */
    char *description;       /* mandatory with ET_RECORD_COMPLETE */
    char *impact;
    char *resolution;
    char *prevention;
    char *extra_json;
};

struct et_learning {
    bool is_present;
    char **insights_gained;
    size_t n_insights_gained;
    char **process_improvements;
    size_t n_process_improvements;
    char *agent_performance_json;
    char *recommendation_for_future;
    char *extra_json;
};

struct et_record {
    char execution_id[ET_RECORD_ID_LEN + 1]; /* lower case; "" unknown */
    char *session_id;           /* mandatory with ET_RECORD_COMPLETE */
    int64_t timestamp_start_ns; /* UTC; 0 unknown; mandatory (COMPLETE) */
    int64_t timestamp_end_ns;   /* UTC; 0 unknown */
    int64_t duration_ms;        /* -1 unknown; derived from the timestamps */
    struct et_main_agent_context main_agent_context;
    struct et_agent_metadata agent_metadata;
    struct et_delegation delegation;
    struct et_execution_data execution;
    struct et_output output;
    struct et_verification verification;
    struct et_quality_metrics quality_metrics;
    struct et_issue *issues;
    size_t n_issues;
    struct et_learning learning;
    /* Unknown root keys and the extension keys (parent_execution_id, usage,
     * security, retention, ledger). */
    char *extra_json;
};

/*
 * Parse the JSON text json[0..len) (strict JSON, default size and depth
 * limits), validate it against the spec's schema, apply the normalisations
 * of docs/RECORD.md (UTC timestamps, lower-case IDs, derived duration_ms,
 * prompt_length and action sequences) and decode it.
 * flags: ET_RECORD_COMPLETE or 0 (then only types and values are checked).
 *
 * On success *out is a new record (caller-owned: et_record_free). On failure
 * *out is NULL and the return is ET_EINPUT (err->msg names the first problem
 * by its JSON path, e.g. "delegation.prompt_length: expected integer, got
 * string", or a byte offset for a syntax error), ET_ETOOBIG or ET_ENOMEM.
 * ET_EINVAL for a NULL json or out. Thread-safe (no shared state).
 */
ET_API ET_NODISCARD int et_record_parse(const char *json, size_t len,
                                        unsigned flags, struct et_record **out,
                                        struct et_error *err);

/*
 * Write r as JSON in the spec's shape: every spec key in the spec's order
 * (null for unknown values, [] for empty lists), each level's extra keys
 * after its spec keys. flags: ET_RECORD_PRETTY or 0 (compact).
 * r is borrowed. The record is validated as et_record_parse would (without
 * ET_RECORD_COMPLETE) before it is written.
 *
 * On success *out is a NUL-terminated string (caller-owned:
 * et_record_free_string) and *len_out (len_out may be NULL) its length.
 * On failure *out is NULL and the return is ET_EINVAL (a _json or extra_json
 * member that is not valid JSON of the right kind, an enum out of range,
 * text that is not valid UTF-8),
 * ET_EINPUT (a value the schema rejects, e.g. a malformed execution_id or
 * timestamp_end before timestamp_start) or ET_ENOMEM.
 */
ET_API ET_NODISCARD int et_record_to_json(const struct et_record *r,
                                          unsigned flags, char **out,
                                          size_t *len_out,
                                          struct et_error *err);

/* Release r and everything it points to. r may be NULL. */
ET_API void et_record_free(struct et_record *r);

/* Release a string returned by et_record_to_json. s may be NULL. */
ET_API void et_record_free_string(char *s);

/* "MATCH", "PARTIAL", "MISMATCH", "ERROR"; NULL for ET_VERIFY_NONE or an
 * out-of-range value. Static strings. */
ET_API const char *et_verification_status_name(enum et_verification_status s);

/* "HIGH", "MEDIUM", "LOW"; NULL for ET_LEVEL_NONE or out of range. */
ET_API const char *et_level_name(enum et_level l);

/* "ERROR", "WARNING", "INFO"; NULL for ET_ISSUE_NONE or out of range. */
ET_API const char *et_issue_type_name(enum et_issue_type t);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_RECORD_H */
