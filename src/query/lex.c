/* SPDX-License-Identifier: MIT */
/*
 * The query lexer: words, quoted strings, operators and parentheses, with
 * the column of each token (in code points) for error messages. Input must
 * be valid UTF-8 without control characters.
 */
#include "base/setup.h"
#include "query/query_int.h"

#include <strings.h>

/* Bytes that end a bare word. */
static bool is_special(unsigned char c)
{
    return c == '(' || c == ')' || c == '"' || c == '\'' || c == ',' ||
           c == ':' || c == '=' || c == '!' || c == '<' || c == '>' || c == '~';
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int et__query_column(const char *text, size_t off)
{
    int col = 1;

    for (size_t i = 0; i < off; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    }
    return col;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int check_text(const char *text, size_t len, struct et_error *err)
{
    const unsigned char *s = (const unsigned char *)text;

    for (size_t i = 0; i < len;) {
        size_t n;

        if (s[i] < 0x20 && !is_space(s[i]))
            return et_error_set(err, ET_EINPUT,
                                "control character at column %d",
                                et__query_column(text, i));
        n = utf8_len(s + i, len - i);
        if (!n)
            return et_error_set(err, ET_EINPUT, "invalid UTF-8 at column %d",
                                et__query_column(text, i));
        i += n;
    }
    return ET_OK;
}

static enum et_kw keyword(const char *s, size_t len)
{
    static const struct {
        const char *word;
        enum et_kw kw;
    } kws[] = {{"and", ET_KW_AND},   {"or", ET_KW_OR},
               {"not", ET_KW_NOT},   {"order", ET_KW_ORDER},
               {"by", ET_KW_BY},     {"asc", ET_KW_ASC},
               {"desc", ET_KW_DESC}, {"limit", ET_KW_LIMIT}};

    for (size_t i = 0; i < ET_ARRAY_SIZE(kws); i++) {
        if (strlen(kws[i].word) == len && !strncasecmp(kws[i].word, s, len))
            return kws[i].kw;
    }
    return ET_KW_NONE;
}

/* A quoted string starting at text[*pos] (the quote); unescapes it. */
static int lex_string(struct et_query *q, size_t *pos, struct et_token *t,
                      struct et_error *err)
{
    const char *text = q->text;
    char quote = text[*pos];
    size_t start = *pos, i = *pos + 1, n = 0;
    char *out = et__qalloc(q, q->len - start + 1);

    if (!out)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (;;) {
        if (i >= q->len)
            return et_error_set(err, ET_EINPUT,
                                "unterminated string starting at column %d",
                                t->col);
        if (text[i] == quote)
            break;
        if (text[i] == '\\') {
            char c = i + 1 < q->len ? text[i + 1] : '\0';

            switch (c) {
            case '\\':
            case '"':
            case '\'':
                out[n++] = c;
                break;
            case 'n':
                out[n++] = '\n';
                break;
            case 't':
                out[n++] = '\t';
                break;
            default:
                return et_error_set(err, ET_EINPUT,
                                    "unknown escape '\\%c' at column %d",
                                    c ? c : ' ', et__query_column(text, i));
            }
            i += 2;
            continue;
        }
        out[n++] = text[i++];
    }
    out[n] = '\0';
    t->kind = ET_T_STRING;
    t->s = out;
    t->len = n;
    *pos = i + 1;
    return ET_OK;
}

/*
 * A bare word. ':' belongs to the word when it is a value (after an
 * operator or a colon) or starts with a digit, so that times like
 * 2025-01-16T10:00:00Z stay one word; otherwise it ends the field name.
 */
static int lex_word(struct et_query *q, size_t *pos, bool value_mode,
                    struct et_token *t, struct et_error *err)
{
    const char *text = q->text;
    size_t start = *pos, i = *pos;
    bool colon_ok = value_mode || (text[i] >= '0' && text[i] <= '9');

    while (i < q->len && !is_space((unsigned char)text[i])) {
        unsigned char c = (unsigned char)text[i];

        if (c == ':' && colon_ok) {
            i++;
            continue;
        }
        if (is_special(c))
            break;
        i++;
    }
    t->kind = ET_T_WORD;
    t->s = et__qstrndup(q, text + start, i - start);
    if (!t->s)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    t->len = i - start;
    t->kw = keyword(t->s, t->len);
    *pos = i;
    return ET_OK;
}

/* Operators and punctuation; returns the token length or 0. */
static size_t lex_punct(const char *s, size_t left, enum et_tok *kind)
{
    char c = s[0], d = left > 1 ? s[1] : '\0';

    switch (c) {
    case '(':
        *kind = ET_T_LPAREN;
        return 1;
    case ')':
        *kind = ET_T_RPAREN;
        return 1;
    case ',':
        *kind = ET_T_COMMA;
        return 1;
    case ':':
        *kind = ET_T_COLON;
        return 1;
    case '~':
        *kind = ET_T_TILDE;
        return 1;
    case '=':
        *kind = ET_T_EQ;
        return d == '=' ? 2 : 1;
    case '<':
        if (d == '=') {
            *kind = ET_T_LE;
            return 2;
        }
        if (d == '>') {
            *kind = ET_T_NE;
            return 2;
        }
        *kind = ET_T_LT;
        return 1;
    case '>':
        *kind = d == '=' ? ET_T_GE : ET_T_GT;
        return d == '=' ? 2 : 1;
    case '!':
        if (d == '=') {
            *kind = ET_T_NE;
            return 2;
        }
        if (d == '~') {
            *kind = ET_T_NTILDE;
            return 2;
        }
        return 0;
    default:
        return 0;
    }
}

static bool is_value_position(const struct et_token *toks, size_t n)
{
    if (n == 0)
        return false;
    switch (toks[n - 1].kind) {
    case ET_T_COLON:
    case ET_T_EQ:
    case ET_T_NE:
    case ET_T_LT:
    case ET_T_LE:
    case ET_T_GT:
    case ET_T_GE:
    case ET_T_TILDE:
    case ET_T_NTILDE:
        return true;
    case ET_T_COMMA:
        /* field:a,b keeps value mode across the list */
        return n >= 2 && toks[n - 2].kind == ET_T_WORD &&
               is_value_position(toks, n - 2);
    default:
        return false;
    }
}

int et__query_lex(struct et_query *q, struct et_token **toks_out, size_t *n_out,
                  struct et_error *err)
{
    struct et_token *toks;
    size_t n = 0, pos = 0;
    int rc;

    *toks_out = NULL;
    *n_out = 0;
    if (q->len > ET_QUERY_MAX_TEXT)
        return et_error_set(err, ET_EINPUT, "query is longer than %d bytes",
                            ET_QUERY_MAX_TEXT);
    rc = check_text(q->text, q->len, err);
    if (rc)
        return rc;
    toks = et__qalloc(q, sizeof(*toks) * (ET_QUERY_MAX_TOKENS + 1));
    if (!toks)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (;;) {
        struct et_token *t = &toks[n];
        unsigned char c;
        size_t plen;

        while (pos < q->len && is_space((unsigned char)q->text[pos]))
            pos++;
        memset(t, 0, sizeof(*t));
        t->col = et__query_column(q->text, pos);
        if (pos >= q->len) {
            t->kind = ET_T_EOF;
            break;
        }
        if (n == ET_QUERY_MAX_TOKENS)
            return et_error_set(err, ET_EINPUT,
                                "query has more than %d tokens (at column "
                                "%d)",
                                ET_QUERY_MAX_TOKENS, t->col);
        c = (unsigned char)q->text[pos];
        if (c == '"' || c == '\'') {
            rc = lex_string(q, &pos, t, err);
        } else if ((plen = lex_punct(q->text + pos, q->len - pos, &t->kind)) !=
                   0) {
            pos += plen;
        } else if (c == '!') {
            return et_error_set(err, ET_EINPUT,
                                "unexpected '!' at column %d (use != or !~, "
                                "or NOT)",
                                t->col);
        } else {
            rc = lex_word(q, &pos, is_value_position(toks, n), t, err);
        }
        if (rc)
            return rc;
        n++;
    }
    *toks_out = toks;
    *n_out = n + 1;
    return ET_OK;
}

void et__token_describe(const struct et_token *t, char *out, size_t cap)
{
    static const char *const punct[] = {
        [ET_T_LPAREN] = "(", [ET_T_RPAREN] = ")", [ET_T_COMMA] = ",",
        [ET_T_COLON] = ":",  [ET_T_EQ] = "=",     [ET_T_NE] = "!=",
        [ET_T_LT] = "<",     [ET_T_LE] = "<=",    [ET_T_GT] = ">",
        [ET_T_GE] = ">=",    [ET_T_TILDE] = "~",  [ET_T_NTILDE] = "!~",
    };

    switch (t->kind) {
    case ET_T_EOF:
        snprintf(out, cap, "end of query");
        break;
    case ET_T_WORD:
        snprintf(out, cap, "'%.40s'", t->s);
        break;
    case ET_T_STRING:
        snprintf(out, cap, "string \"%.40s\"", t->s);
        break;
    default:
        snprintf(out, cap, "'%s'", punct[t->kind]);
        break;
    }
}
