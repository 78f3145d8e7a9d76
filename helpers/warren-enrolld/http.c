// SPDX-License-Identifier: GPL-2.0-only
/*
 * The HTTP(S) front of warren-enrolld on libmicrohttpd: one internal polling thread, so every
 * decision runs one at a time; a connection limit, a per-connection timeout, a memory limit,
 * and bodies cut at HTTP_BODY_MAX while they are read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "buf.h"
#include "core.h"
#include "filesync.h"
#include "http.h"
#include "reply.h"

#define HTTP_BODY_MAX 4096

struct upload {
	struct buf body;
	bool too_big;
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned int status, const char *text,
				 const char *type, unsigned int retry_after)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	char ra[16];
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (retry_after) {
		snprintf(ra, sizeof(ra), "%u", retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct enr_reply *r)
{
	char *text = r->body ? json_dumps(r->body, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	enum MHD_Result ret;

	if (!text)
		return send_text(c, 500, "{\"error\":\"error\",\"message\":\"out of memory\"}\n",
				 "application/json", 0);
	ret = send_text(c, r->status, text, "application/json", r->retry_after);
	sodium_memzero(text, strlen(text));
	free(text);
	return ret;
}

static void source_of(struct MHD_Connection *c, char out[static INET6_ADDRSTRLEN])
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	strcpy(out, "unknown");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
			  INET6_ADDRSTRLEN);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  INET6_ADDRSTRLEN);
}

static enum MHD_Result route(struct enr_ctx *ctx, struct MHD_Connection *c, const char *url,
			     const char *method, struct upload *up)
{
	struct enr_reply r = {.status = 500};
	const char *event = NULL;
	char src[INET6_ADDRSTRLEN], *metrics;
	enum MHD_Result ret;
	bool post = !strcmp(method, "POST"), get = !strcmp(method, "GET");
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

	if (!strcmp(url, "/metrics") && get) {
		metrics = enr_metrics(ctx);
		ret = send_text(c, metrics ? 200 : 500, metrics ? metrics : "out of memory\n",
				"text/plain; version=0.0.4", 0);
		free(metrics);
		return ret;
	}
	if (up->too_big)
		enr_refuse(&r, 413, ENR_INVALID, "the body is larger than %d bytes", HTTP_BODY_MAX);
	else if (!strcmp(url, "/v1/enroll") && post) {
		event = "enroll";
		enr_enroll(ctx, up->body.data ? up->body.data : "", up->body.len, time(NULL), &r);
	} else if (!strcmp(url, "/v1/rotate") && post) {
		event = "rotate";
		enr_rotate(ctx, auth, up->body.data ? up->body.data : "", up->body.len, &r);
	} else if (!strcmp(url, "/v1/self") && get) {
		event = "self";
		enr_self(ctx, auth, &r);
	} else if (!strcmp(url, "/v1/enroll") || !strcmp(url, "/v1/rotate") ||
		   !strcmp(url, "/v1/self"))
		enr_refuse(&r, 405, ENR_INVALID, "method %.16s is not allowed on %.64s", method,
			   url);
	else
		enr_refuse(&r, 404, ENR_INVALID,
			   "no such endpoint %.64s; the API is POST /v1/enroll, POST /v1/rotate, "
			   "GET /v1/self",
			   url);
	source_of(c, src);
	if (event)
		enr_audit(ctx, event, &r, src);
	ret = send_reply(c, &r);
	json_decref(r.body);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **con_cls)
{
	struct upload *up = *con_cls;

	(void)version;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		return MHD_YES;
	}
	if (*size) {
		if (up->too_big || up->body.len + *size > HTTP_BODY_MAX)
			up->too_big = true;
		else if (buf_append(&up->body, data, *size))
			return MHD_NO;
		*size = 0;
		return MHD_YES;
	}
	return route(cls, c, url, method, up);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode code)
{
	struct upload *up = *con_cls;

	(void)cls, (void)c, (void)code;
	if (up) {
		buf_free(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

int http_serve(struct enr_ctx *ctx, struct err *err)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(ctx->conf.port)};
	struct buf cert = {0}, key = {0};
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d = NULL;
	sigset_t set;
	int sig, ret = -EINVAL;

	if (inet_pton(AF_INET, ctx->conf.listen, &sin.sin_addr) != 1) {
		err_set(err, "listen: \"%.64s\" is not an IPv4 address", ctx->conf.listen);
		goto out;
	}
	if (*ctx->conf.tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			err_set(err, "this libmicrohttpd has no TLS");
			goto out;
		}
		ret = filesync_read(ctx->conf.tls_cert, &cert, false);
		if (!ret)
			ret = filesync_read(ctx->conf.tls_key, &key, true);
		if (ret) {
			err_set(err, "tls_cert/tls_key: cannot read (%s); the key must be 0600",
				strerror(-ret));
			goto out;
		}
		flags |= MHD_USE_TLS;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	{
		struct MHD_OptionItem tls[] = {
		    {MHD_OPTION_HTTPS_MEM_CERT, 0, cert.data},
		    {MHD_OPTION_HTTPS_MEM_KEY, 0, key.data},
		    {MHD_OPTION_END, 0, NULL},
		};

		if (!cert.data)
			tls[0].option = MHD_OPTION_END;
		d = MHD_start_daemon(flags, 0, NULL, NULL, handler, ctx, MHD_OPTION_SOCK_ADDR, &sin,
				     MHD_OPTION_CONNECTION_LIMIT, ctx->conf.max_connections,
				     MHD_OPTION_CONNECTION_TIMEOUT, ctx->conf.timeout_sec,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
				     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_ARRAY,
				     tls, MHD_OPTION_END);
	}
	if (!d) {
		ret = -EADDRINUSE;
		err_set(err, "cannot listen on %s:%u (in use, or bad TLS certificate/key)",
			ctx->conf.listen, ctx->conf.port);
		goto out;
	}
	fprintf(stderr, "warren-enrolld: listening on %s:%u (%s), interface %s\n", ctx->conf.listen,
		ctx->conf.port, *ctx->conf.tls_cert ? "https" : "http", ctx->conf.interface);
	sigwait(&set, &sig);
	ret = 0;
out:
	if (d)
		MHD_stop_daemon(d);
	buf_free(&cert);
	buf_free(&key);
	return ret;
}
