/* SPDX-License-Identifier: MIT */
/*
 * The redaction rules as data: kind, PCRE2 pattern, literal anchors and
 * validation. docs/SECURITY.md documents each rule with examples; the unit
 * tests (tests/unit/test_redact.c) check them both ways. Order matters only
 * for overlapping matches that start at the same byte: the earlier rule
 * names the kind.
 */
#include "base/setup.h"
#include "redact/redact.h"

#include <math.h>
#include <sodium.h>

/* Secret-looking names, shared by the .env and JSON rules. */
#define SECRET_WORDS                                                           \
    "secrets?|tokens?|passw(?:or)?d|api_?key|apikey|access_?key|"          \
    "private_?key|client_?secret|credentials?|auth"
/* The same, upper case, as .env names are written. */
#define SECRET_NAMES                                                           \
    "SECRETS?|TOKENS?|PASSW(?:OR)?D|API_?KEY|APIKEY|ACCESS_?KEY|"              \
    "PRIVATE_?KEY|CLIENT_?SECRET|CREDENTIALS?|AUTH"
/* Member names that name a secret without holding one. */
#define NOT_SECRET_SUFFIX                                                      \
    "(?i)_ref|_id|_type|_url|_uri|_path|_file|_name|_method|_count|_endpoint"

static const char *const a_aws_id[] = {"AKIA", "ASIA", "ABIA", "ACCA", NULL};
static const char *const a_aws[] = {"aws", NULL};
static const char *const a_gcp_sa[] = {"\"private_key\"", NULL};
static const char *const a_gcp_api[] = {"AIza", NULL};
static const char *const a_azure_key[] = {"accountkey", NULL};
static const char *const a_azure_sas[] = {"sig=", NULL};
static const char *const a_github[] = {"ghp_", "gho_", "ghu_", "ghs_",
                                       "ghr_", NULL};
static const char *const a_github_pat[] = {"github_pat_", NULL};
static const char *const a_gitlab[] = {"glpat-", NULL};
static const char *const a_slack[] = {"xox", NULL};
static const char *const a_slack_hook[] = {"hooks.slack.com/services/", NULL};
static const char *const a_stripe[] = {"sk_live_", "sk_test_", "rk_live_",
                                       "rk_test_", NULL};
static const char *const a_anthropic[] = {"sk-ant-", NULL};
static const char *const a_openai[] = {"T3BlbkFJ", NULL};
static const char *const a_openai_proj[] = {"sk-proj-", "sk-svcacct-",
                                            "sk-admin-", NULL};
static const char *const a_jwt[] = {"eyJ", NULL};
static const char *const a_npm[] = {"npm_", NULL};
static const char *const a_sendgrid[] = {"SG.", NULL};
static const char *const a_basic[] = {"basic", NULL};
static const char *const a_bearer[] = {"bearer", NULL};
static const char *const a_pem[] = {"PRIVATE KEY", NULL};
static const char *const a_url[] = {"://", NULL};
/* every alternative of SECRET_WORDS contains one of these */
static const char *const a_words[] = {
    "secret", "token", "passwd", "password", "api_key", "apikey",
    "access_key", "accesskey", "private_key", "privatekey", "credential",
    "auth", NULL};
/* every alternative of SECRET_NAMES (upper case: env_secret is not caseless)
 * contains one of these */
static const char *const a_names[] = {
    "SECRET", "TOKEN", "PASSWD", "PASSWORD", "API_KEY", "APIKEY",
    "ACCESS_KEY", "ACCESSKEY", "PRIVATE_KEY", "PRIVATEKEY", "CREDENTIAL",
    "AUTH", NULL};

/* clang-format off */
const struct et_redact_rule et__redact_rules[] = {
    {"aws_access_key_id",
     "\\b(?<s>A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16})\\b",
     a_aws_id, false, NULL, "none"},
    {"aws_secret_access_key",
     "(?i:aws[A-Za-z0-9_ .-]{0,24}?(?:secret|private)[A-Za-z0-9_ .-]{0,24})"
     "['\"]?[ \\t]*[:=][ \\t]*['\"]?"
     "(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
     a_aws, true, NULL, "none"},
    {"gcp_service_account_key",
     "\"private_key\"\\s*:\\s*\""
     "(?<s>-----BEGIN [A-Z ]{0,20}PRIVATE KEY-----[^\"]*)\"",
     a_gcp_sa, false, NULL, "none"},
    {"gcp_api_key",
     "\\b(?<s>AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])",
     a_gcp_api, false, NULL, "none"},
    {"azure_storage_key",
     "(?i:AccountKey)[ \\t]*=[ \\t]*(?<s>[A-Za-z0-9+/]{86}==)",
     a_azure_key, true, NULL, "none"},
    {"azure_sas_signature",
     "[?&]sig=(?<s>[A-Za-z0-9%+/]{40,}={0,2})",
     a_azure_sas, false, NULL, "none"},
    {"github_token",
     "\\b(?<s>gh[pousr]_[A-Za-z0-9]{36,251})\\b",
     a_github, false, NULL, "none"},
    {"github_token",
     "\\b(?<s>github_pat_[A-Za-z0-9_]{60,240})\\b",
     a_github_pat, false, NULL, "none"},
    {"gitlab_token",
     "\\b(?<s>glpat-[A-Za-z0-9_-]{20,})",
     a_gitlab, false, NULL, "none"},
    {"slack_token",
     "\\b(?<s>xox[abposr]-[0-9A-Za-z-]{10,})",
     a_slack, false, et__redact_valid_token, "has a digit"},
    {"slack_webhook",
     "(?<s>https://hooks\\.slack\\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/"
     "[A-Za-z0-9]{16,})",
     a_slack_hook, false, NULL, "none"},
    {"stripe_key",
     "\\b(?<s>[sr]k_(?:live|test)_[0-9A-Za-z]{16,})",
     a_stripe, false, NULL, "none"},
    {"anthropic_key",
     "\\b(?<s>sk-ant-[a-z]{2,10}[0-9]{2}-[A-Za-z0-9_-]{32,})",
     a_anthropic, false, NULL, "none"},
    {"openai_key",
     "\\b(?<s>sk-(?:[a-z]{2,10}-)?[A-Za-z0-9_-]{8,}T3BlbkFJ"
     "[A-Za-z0-9_-]{8,})",
     a_openai, false, NULL, "none"},
    {"openai_key",
     "\\b(?<s>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,})",
     a_openai_proj, false, NULL, "none"},
    {"npm_token",
     "\\b(?<s>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])",
     a_npm, false, et__redact_valid_token, "has a digit"},
    {"sendgrid_key",
     "\\b(?<s>SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])",
     a_sendgrid, false, NULL, "none"},
    {"basic_auth",
     "(?i:\\bauthorization)['\"]?[ \\t]*[:=][ \\t]*['\"]?(?i:basic)[ \\t]+"
     "(?<s>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])",
     a_basic, true, NULL, "none"},
    {"jwt",
     "\\b(?<s>eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\."
     "[A-Za-z0-9_-]{10,})",
     a_jwt, false, et__redact_valid_jwt,
     "the header decodes to a JSON object with an \"alg\" member"},
    {"bearer_token",
     "(?i:\\bbearer)[ \\t]+(?<s>[A-Za-z0-9._~+/-]{16,}=*)",
     a_bearer, true, et__redact_valid_token, "has a digit"},
    {"private_key",
     "(?<s>-----BEGIN (?<t>(?:RSA |EC |DSA |ENCRYPTED |PGP )?PRIVATE KEY"
     "(?: BLOCK)?)-----(?s:.*?)(?:-----END \\k<t>-----|\\z))",
     a_pem, false, NULL, "none"},
    {"openssh_private_key",
     "(?<s>-----BEGIN OPENSSH PRIVATE KEY-----(?s:.*?)"
     "(?:-----END OPENSSH PRIVATE KEY-----|\\z))",
     a_pem, false, NULL, "none"},
    {"url_password",
     "://[^\\s:/?#@\"'<>]{0,256}:"
     "(?<s>[^\\s/?#@\"'<>]{1,256})@",
     a_url, false, NULL, "none"},
    {"env_secret",
     "(?m)^[ \\t]*(?:export[ \\t]+)?(?:[A-Z0-9]+_)*"
     "(?:" SECRET_NAMES ")(?:_[A-Z0-9]+)*[ \\t]*=[ \\t]*['\"]?"
     "(?<s>[^\\s'\"#]{6,})",
     a_names, false, et__redact_valid_assignment,
     "not a placeholder, reference, path, URL, number or boolean"},
    {"json_secret",
     "\"[A-Za-z0-9_.-]*(?i:" SECRET_WORDS ")[A-Za-z0-9_.-]*"
     "(?<!" NOT_SECRET_SUFFIX ")\"[ \\t]*:"
     "[ \\t]*\"(?<s>[^\"\\\\\\s]{8,})\"",
     a_words, true, et__redact_valid_json_secret,
     "as env_secret, and at least 2.5 bits of entropy a byte"},
};
/* clang-format on */
const size_t et__n_redact_rules = ET_ARRAY_SIZE(et__redact_rules);

double et__redact_entropy(const char *s, size_t len)
{
    size_t count[256] = {0};
    double h = 0;

    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++)
        count[(unsigned char)s[i]]++;
    for (size_t i = 0; i < 256; i++) {
        double p;

        if (!count[i])
            continue;
        p = (double)count[i] / (double)len;
        h -= p * log2(p);
    }
    return h;
}

static bool has_digit(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

bool et__redact_valid_token(const char *s, size_t len)
{
    return has_digit(s, len);
}

static bool ieq(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    if (n != len)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return true;
}

static bool contains(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    for (size_t i = 0; i + n <= len; i++)
        if (ieq(s + i, n, word))
            return true;
    return false;
}

bool et__redact_valid_assignment(const char *s, size_t len)
{
    static const char *const words[] = {"true", "false", "null", "none",
                                        "nil", "undefined", NULL};
    static const char *const holders[] = {"changeme", "change_me", "xxxx",
                                          "****", "<", "${", "$(", "{{",
                                          "your_", "your-", "redacted",
                                          "placeholder", NULL};
    bool numeric = true;

    for (size_t i = 0; i < len; i++)
        if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '.' && s[i] != '-')
            numeric = false;
    if (numeric)
        return false;
    for (size_t i = 0; words[i]; i++)
        if (ieq(s, len, words[i]))
            return false;
    if (s[0] == '$' || s[0] == '/' || s[0] == '~' || s[0] == '.')
        return false; /* a reference to another variable, or a path */
    if (contains(s, len, "://"))
        return false; /* a URL: its password, if any, is url_password's */
    for (size_t i = 0; holders[i]; i++)
        if (contains(s, len, holders[i]))
            return false;
    return true;
}

bool et__redact_valid_json_secret(const char *s, size_t len)
{
    return et__redact_valid_assignment(s, len) &&
           et__redact_entropy(s, len) >= 2.5;
}

bool et__redact_valid_jwt(const char *s, size_t len)
{
    const char *dot = memchr(s, '.', len);
    unsigned char hdr[1024];
    size_t n = 0;
    struct json_tokener *tok;
    struct json_object *o, *alg = NULL;
    bool ok;

    if (!dot || (size_t)(dot - s) > 4 * sizeof(hdr) / 3)
        return false;
    if (sodium_base642bin(hdr, sizeof(hdr), s, (size_t)(dot - s), NULL, &n,
                          NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    tok = json_tokener_new();
    if (!tok)
        return false;
    o = json_tokener_parse_ex(tok, (const char *)hdr, (int)n);
    ok = o && json_tokener_get_error(tok) == json_tokener_success &&
         json_object_is_type(o, json_type_object) &&
         json_object_object_get_ex(o, "alg", &alg) &&
         json_object_is_type(alg, json_type_string);
    json_object_put(o);
    json_tokener_free(tok);
    return ok;
}

static bool ends_with(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);

    return len >= n && ieq(s + len - n, n, word);
}

bool et__redact_secret_key_name(const char *name, size_t len)
{
    static const char *const not_secret[] = {
        "_ref", "_id", "_type", "_url", "_uri", "_path", "_file", "_name",
        "_method", "_count", "_endpoint", NULL};

    static const char *const words[] = {
        "secret", "token", "passwd", "password", "api_key", "apikey",
        "api-key", "access_key", "accesskey", "private_key", "privatekey",
        "credential", "auth", NULL};

    for (size_t i = 0; not_secret[i]; i++)
        if (ends_with(name, len, not_secret[i]))
            return false;
    for (size_t i = 0; words[i]; i++)
        if (contains(name, len, words[i]))
            return true;
    return false;
}
