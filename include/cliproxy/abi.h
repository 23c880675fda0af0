/*
 * cliproxy/abi.h -- the CLIProxyAPI native plugin ABI, version 1.
 *
 * Valid C (C99 and later) and C++. This is the whole binary contract between a host
 * (CLIProxyAPI, or libcliproxy_host) and a plugin shared object:
 *
 *   - The host dlopen()s the plugin with RTLD_NOW | RTLD_LOCAL, resolves the one exported
 *     symbol `cliproxy_plugin_init`, and calls it once. 0 means success; the host then
 *     refuses the plugin unless `abi_version == CLIPROXY_ABI_VERSION` and both `call` and
 *     `free_buffer` are set.
 *   - Every call carries a NUL-terminated method name and a JSON request (which may be NULL
 *     with length 0). The callee zeroes `*response`, then stores a buffer that its own
 *     `free_buffer(ptr, len)` releases. The caller copies the bytes and frees them.
 *   - Return code 0 is normal. On a non-zero code the caller still reads the response: an
 *     error envelope is used as one; anything else fails the call.
 *   - Calls arrive concurrently from many threads, including reconfigure racing pick.
 *     A plugin must be thread-safe, must not throw, abort, or write to stdout inside a call.
 *   - `shutdown` (optional) is called once before dlclose(); no call arrives after it.
 */
#ifndef CLIPROXY_ABI_H_
#define CLIPROXY_ABI_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLIPROXY_ABI_VERSION 1u

/* The name of the one symbol a plugin exports. */
#define CLIPROXY_PLUGIN_INIT_SYMBOL "cliproxy_plugin_init"

/* A byte buffer handed across the boundary; released by the side that allocated it. */
typedef struct cliproxy_buffer {
  void* ptr;
  size_t len;
} cliproxy_buffer;

/* Host callbacks (host.log, ...). Same reply rules as a plugin call. */
typedef int (*cliproxy_host_call_fn)(void* host_ctx, const char* method, const uint8_t* request,
                                     size_t request_len, cliproxy_buffer* response);
typedef void (*cliproxy_host_free_fn)(void* ptr, size_t len);

typedef struct cliproxy_host_api {
  uint32_t abi_version;              /* CLIPROXY_ABI_VERSION */
  void* host_ctx;                    /* passed back on every host call */
  cliproxy_host_call_fn call;        /* host callbacks */
  cliproxy_host_free_fn free_buffer; /* releases buffers returned by `call` */
} cliproxy_host_api;

typedef int (*cliproxy_plugin_call_fn)(const char* method, const uint8_t* request,
                                       size_t request_len, cliproxy_buffer* response);
typedef void (*cliproxy_plugin_free_fn)(void* ptr, size_t len);
typedef void (*cliproxy_plugin_shutdown_fn)(void);

typedef struct cliproxy_plugin_api {
  uint32_t abi_version;                 /* must be set to CLIPROXY_ABI_VERSION */
  cliproxy_plugin_call_fn call;         /* required */
  cliproxy_plugin_free_fn free_buffer;  /* required */
  cliproxy_plugin_shutdown_fn shutdown; /* optional */
} cliproxy_plugin_api;

/* The one exported symbol. Returns 0 on success. */
typedef int (*cliproxy_plugin_init_fn)(const cliproxy_host_api* host, cliproxy_plugin_api* plugin);
int cliproxy_plugin_init(const cliproxy_host_api* host, cliproxy_plugin_api* plugin);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CLIPROXY_ABI_H_ */
