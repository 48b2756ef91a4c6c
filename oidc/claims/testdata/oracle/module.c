// Module oracle: calls the exported functions of Debian 12's real
// mod_auth_openidc.so (2.4.12.3) with a minimal request_rec.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <httpd.h>
#include <http_log.h>
#include <apr_tables.h>
#include <apr_strings.h>
typedef struct json_t json_t;
typedef struct { int line, column, position; char source[80]; char text[160]; } json_error_t;
json_t *json_loads(const char *, size_t, json_error_t *);

void ap_log_rerror_(const char *file, int line, int module_index, int level, apr_status_t status, const request_rec *r, const char *fmt, ...) {}
void ap_log_error_(const char *file, int line, int module_index, int level, apr_status_t status, const server_rec *s, const char *fmt, ...) {}

static int unhex(const char *h, char *out) { int n = 0; while (h[0] && h[1] && h[0] != '\n' && h[0] != ' ') { unsigned v; sscanf(h, "%2x", &v); out[n++] = v; h += 2; } out[n] = 0; return n; }
static void hexout(const char *s) { for (; *s; s++) printf("%02x", (unsigned char)*s); }
static char *field(char **p) { char *s = *p; char *e = strchr(s, ' '); if (e) { *e = 0; *p = e + 1; } else { e = strchr(s, '\n'); if (e) *e = 0; *p = s + strlen(s); } return s; }

typedef void (*set_app_infos_t)(request_rec *, const json_t *, const char *, const char *, apr_byte_t, apr_byte_t, int);
typedef apr_byte_t (*match_claim_t)(request_rec *, const char *, const json_t *);
typedef apr_byte_t (*get_remote_user_t)(request_rec *, const char *, const char *, const char *, json_t *, char **);
typedef char *(*normalize_t)(const request_rec *, const char *);
typedef int (*strnenvcmp_t)(const char *, const char *, int);

static int dump(void *rec, const char *k, const char *v) { hexout(k); printf("="); hexout(v); printf(" "); return 1; }

int main(void) {
  void *h = dlopen("/usr/lib/apache2/modules/mod_auth_openidc.so", RTLD_LAZY | RTLD_GLOBAL);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  set_app_infos_t set_app_infos = dlsym(h, "oidc_util_set_app_infos");
  match_claim_t match_claim = dlsym(h, "oidc_authz_match_claim");
  get_remote_user_t get_remote_user = dlsym(h, "oidc_get_remote_user");
  normalize_t normalize = dlsym(h, "oidc_normalize_header_name");
  strnenvcmp_t strnenvcmp = dlsym(h, "oidc_strnenvcmp");
  apr_initialize();
  static char line[1 << 20], a[1 << 19], b[1 << 19], c[1 << 19], d[1 << 19];
  while (fgets(line, sizeof line, stdin)) {
    apr_pool_t *pool; apr_pool_create(&pool, NULL);
    struct ap_logconf lc = { NULL, 0 };
    request_rec r; memset(&r, 0, sizeof r);
    r.pool = pool; r.log = &lc; r.headers_in = apr_table_make(pool, 8); r.subprocess_env = apr_table_make(pool, 8);
    char *p = line; char *op = field(&p);
    if (!strcmp(op, "render")) { // json prefix delim pass_as
      unhex(field(&p), a); unhex(field(&p), b); unhex(field(&p), c); int pass_as = atoi(field(&p));
      json_error_t e; json_t *j = json_loads(a, 0, &e);
      if (!j) { printf("ERR\n"); continue; }
      set_app_infos(&r, j, b, c, 1, 1, pass_as);
      printf("H "); apr_table_do(dump, NULL, r.headers_in, NULL); printf("E "); apr_table_do(dump, NULL, r.subprocess_env, NULL); printf("\n");
    } else if (!strcmp(op, "match")) { // json spec
      unhex(field(&p), a); unhex(field(&p), b);
      json_error_t e; json_t *j = json_loads(a, 0, &e);
      printf("%d\n", match_claim(&r, b, j));
    } else if (!strcmp(op, "ruser")) { // json claim regexp|- replace|-
      unhex(field(&p), a); unhex(field(&p), b); char *f3 = field(&p); char *f4 = field(&p);
      const char *re = NULL, *rep = NULL;
      if (strcmp(f3, "-")) { unhex(f3, c); re = c; }
      if (strcmp(f4, "-")) { unhex(f4, d); rep = d; }
      json_error_t e; json_t *j = json_loads(a, 0, &e); char *user = NULL;
      if (get_remote_user(&r, b, re, rep, j, &user)) { printf("OK "); hexout(user); printf("\n"); } else printf("FAIL\n");
    } else if (!strcmp(op, "hname")) {
      unhex(field(&p), a); hexout(normalize(&r, a)); printf("\n");
    } else if (!strcmp(op, "envcmp")) {
      unhex(field(&p), a); unhex(field(&p), b); int len = atoi(field(&p)); int v = strnenvcmp(a, b, len); printf("%d\n", v < 0 ? -1 : v > 0 ? 1 : 0);
    } else printf("?\n");
    fflush(stdout);
    apr_pool_destroy(pool);
  }
}
