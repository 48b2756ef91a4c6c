#define _GNU_SOURCE
// Differential oracle: links Debian 12's real libapr-1, libjansson 2.14, libpcre2-8.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
typedef struct { int type; size_t refcount; } json_t;
typedef struct { int line, column, position; char source[80]; char text[160]; } json_error_t;
json_t *json_loads(const char *, size_t, json_error_t *);
void *json_object_iter(json_t *); void *json_object_iter_next(json_t *, void *);
const char *json_object_iter_key(void *); json_t *json_object_iter_value(void *);
char *json_dumps(const json_t *, size_t); double json_real_value(const json_t *);
long long json_integer_value(const json_t *); const char *json_string_value(const json_t *);
int apr_strnatcmp(const char *, const char *);
void *pcre2_compile_8(const unsigned char *, size_t, unsigned, int *, size_t *, void *);
int pcre2_substitute_8(void *, const unsigned char *, size_t, size_t, unsigned, void *, void *, const unsigned char *, size_t, unsigned char *, size_t *);
static int unhex(const char *h, char *out) { int n = 0; while (h[0] && h[1] && h[0] != '\n') { unsigned v; sscanf(h, "%2x", &v); out[n++] = v; h += 2; } out[n] = 0; return n; }
static void hexout(const char *s) { for (; *s; s++) printf("%02x", (unsigned char)*s); }
int main(void) {
  static char line[1 << 20], a[1 << 19], b[1 << 19], c[1 << 19];
  while (fgets(line, sizeof line, stdin)) {
    char *f1 = strchr(line, ' '); if (!f1) continue; *f1++ = 0;
    if (!strcmp(line, "nat")) { char *f2 = strchr(f1, ' '); *f2++ = 0; unhex(f1, a); unhex(f2, b); int r = apr_strnatcmp(a, b); printf("%d\n", r < 0 ? -1 : r > 0 ? 1 : 0); }
    else if (!strcmp(line, "atoi")) { unhex(f1, a); printf("%d\n", atoi(a)); }
    else if (!strcmp(line, "fmt")) { double d = strtod(f1, NULL); printf("%lf %.17g\n", d, d); }
    else if (!strcmp(line, "json")) {
      unhex(f1, a); json_error_t e; json_t *j = json_loads(a, 0, &e);
      if (!j) { printf("ERR %s\n", e.text); continue; }
      if (j->type != 0) { printf("NOTOBJ\n"); continue; }
      for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
        json_t *v = json_object_iter_value(it); hexout(json_object_iter_key(it)); printf(":%d:", v->type);
        char buf[4096]; buf[0] = 0;
        switch (v->type) { case 2: hexout(json_string_value(v)); break; case 3: sprintf(buf, "%ld", (long)json_integer_value(v)); hexout(buf); break;
          case 4: { char *s = NULL; if (asprintf(&s, "%lf", json_real_value(v)) > 0) { hexout(s); } break; }
          case 0: case 1: { char *s = json_dumps(v, 0); hexout(s); break; } }
        printf(" ");
      }
      printf("\n");
    } else if (!strcmp(line, "subst")) {
      char *f2 = strchr(f1, ' '); *f2++ = 0; char *f3 = strchr(f2, ' '); *f3++ = 0;
      unhex(f1, a); int n = unhex(f2, b); unhex(f3, c); int ec; size_t eo;
      void *re = pcre2_compile_8((unsigned char *)a, strlen(a), 0, &ec, &eo, NULL);
      if (!re) { printf("NOCOMPILE\n"); continue; }
      unsigned char out[765]; size_t outlen = 765;
      int rc = pcre2_substitute_8(re, (unsigned char *)b, n, 0, 0x100, NULL, NULL, (unsigned char *)c, ~(size_t)0, out, &outlen);
      if (rc > 0) { printf("OK "); hexout((char *)out); printf("\n"); } else printf("FAIL %d\n", rc);
    }
    fflush(stdout);
  }
}
