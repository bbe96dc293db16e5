/*
 * A STAND-IN for Headscale's binary in an image laid out like ghcr.io/juanfont/headscale (distroless, no shell, no
 * wget): the contract is in scripts/images/headscale-distroless-standin.sh. Static C, no libraries beyond libc.
 *   headscale [-c FILE] serve        HTTP GET /health on listen_addr's port, the CLI's unix socket (unix_socket)
 *   headscale [-c FILE] users list   asks the running server over that socket; exit 0 with its answer, 1 without
 *   headscale version
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

static char config[512] = "/etc/headscale/config.yaml";
static int port = 8080;
static char sock[108] = "/var/run/headscale/headscale.sock";

static int fail(const char *what) {
  fprintf(stderr, "headscale-standin: %s: %s\n", what, strerror(errno));
  return 1;
}

/* A top-level `key: value` of the config (quotes and comments stripped); 0 when absent. */
static int value_of(const char *text, const char *key, char *out, size_t n) {
  size_t k = strlen(key);
  for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
    if (strncmp(l, key, k) != 0 || l[k] != ':') continue;
    const char *v = l + k + 1;
    while (*v == ' ') v++;
    if (*v == '"' || *v == '\'') v++;
    size_t len = strcspn(v, "\"'# \n");
    if (len >= n) len = n - 1;
    memcpy(out, v, len);
    out[len] = 0;
    return 1;
  }
  return 0;
}

/* Reads the config as Headscale does at start: a missing or unreadable file is fatal. */
static int load_config(void) {
  static char text[65536];
  FILE *f = fopen(config, "r");
  if (!f) return fail(config);
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  char v[256];
  if (!value_of(text, "server_url", v, sizeof v)) {
    fprintf(stderr, "headscale-standin: %s: missing required key server_url\n", config);
    return 1;
  }
  if (value_of(text, "listen_addr", v, sizeof v) && strrchr(v, ':')) port = atoi(strrchr(v, ':') + 1);
  if (value_of(text, "unix_socket", v, sizeof v)) {
    if (strlen(v) >= sizeof sock) {
      fprintf(stderr, "headscale-standin: %s: unix_socket longer than %zu bytes\n", config, sizeof sock - 1);
      return 1;
    }
    memcpy(sock, v, strlen(v) + 1);
  }
  return 0;
}

static void on_signal(int sig) {
  (void)sig;
  unlink(sock);
  _exit(0);
}

static int listener(int family, struct sockaddr *addr, socklen_t len) {
  int fd = socket(family, SOCK_STREAM, 0), one = 1;
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, addr, len) < 0 || listen(fd, 16) < 0) return -1;
  return fd;
}

/* One request per connection, then close: GET /health on TCP, any line on the socket (the CLI's question). */
static void answer(int fd, int is_http) {
  char req[1024] = {0};
  ssize_t n = read(fd, req, sizeof req - 1);
  const char *body = "[]\n", *reply;
  char http[256];
  if (is_http) {
    int ok = n > 0 && strncmp(req, "GET /health ", 12) == 0;
    body = ok ? "{\"status\":\"pass\"}" : "404 page not found";
    snprintf(http, sizeof http, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
             ok ? "200 OK" : "404 Not Found", ok ? "application/json" : "text/plain", strlen(body), body);
    reply = http;
  } else {
    reply = body;
  }
  if (write(fd, reply, strlen(reply)) < 0) perror("headscale-standin: write");
  close(fd);
}

static int serve(void) {
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port), .sin_addr = {INADDR_ANY}};
  struct sockaddr_un un = {.sun_family = AF_UNIX};
  snprintf(un.sun_path, sizeof un.sun_path, "%s", sock);
  char dir[108];
  snprintf(dir, sizeof dir, "%s", sock);
  if (strrchr(dir, '/')) *strrchr(dir, '/') = 0;
  if (dir[0] && mkdir(dir, 0770) < 0 && errno != EEXIST) return fail(dir);
  unlink(sock);
  int tcp = listener(AF_INET, (struct sockaddr *)&in, sizeof in);
  if (tcp < 0) return fail("listen_addr");
  int uds = listener(AF_UNIX, (struct sockaddr *)&un, sizeof un);
  if (uds < 0) return fail(sock);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("headscale-standin: listening and serving HTTP on: 0.0.0.0:%d, the CLI on %s\n", port, sock);
  fflush(stdout);
  struct pollfd fds[2] = {{.fd = tcp, .events = POLLIN}, {.fd = uds, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return fail("poll");
    for (int i = 0; i < 2; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      int c = accept(fds[i].fd, NULL, NULL);
      if (c >= 0) answer(c, i == 0);
    }
  }
}

static int users_list(void) {
  struct sockaddr_un un = {.sun_family = AF_UNIX};
  snprintf(un.sun_path, sizeof un.sun_path, "%s", sock);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&un, sizeof un) < 0) return fail("Could not connect");
  char buf[4096];
  ssize_t n;
  if (write(fd, "users list\n", 11) < 0) return fail("write");
  while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
  close(fd);
  return n < 0 ? fail("read") : 0;
}

int main(int argc, char **argv) {
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc) snprintf(config, sizeof config, "%s", argv[++i]);
    else return fprintf(stderr, "Error: unknown flag: %s\n", argv[i]), 1;
  }
  const char *cmd = i < argc ? argv[i] : "serve";
  if (strcmp(cmd, "version") == 0) return puts("headscale-distroless-standin 1 (a stand-in for headscale)") < 0;
  int users = strcmp(cmd, "users") == 0 && i + 1 < argc && (strcmp(argv[i + 1], "list") == 0 || strcmp(argv[i + 1], "ls") == 0);
  if (!users && strcmp(cmd, "serve") != 0) return fprintf(stderr, "Error: unknown command \"%s\" for \"headscale\"\n", cmd), 1;
  if (load_config() != 0) return 1;
  return users ? users_list() : serve();
}
