/*
 * A plain C (C99) client of cliproxy/abi.h: proves the header is valid C and that the
 * ABI can be driven from C exactly as CLIProxyAPI's cgo loader drives it.
 */
#define _POSIX_C_SOURCE 200809L

#include "c_abi.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cliproxy/abi.h"

/* A host callback table, as a host would pass it; this one refuses every callback. */
static int refuse(void* ctx, const char* method, const uint8_t* request, size_t len,
                  cliproxy_buffer* response) {
  (void)ctx;
  (void)method;
  (void)request;
  (void)len;
  response->ptr = NULL;
  response->len = 0;
  return 1;
}

static void release(void* ptr, size_t len) {
  (void)ptr;
  (void)len;
}

static size_t copy_reply(const cliproxy_buffer* response, char* out, size_t cap) {
  size_t n = response->len < cap - 1 ? response->len : cap - 1;
  if (response->ptr != NULL) memcpy(out, response->ptr, n);
  out[n] = '\0';
  return n;
}

int c_abi_register_and_pick(const char* so_path, const char* register_body, const char* pick_body,
                            char* out, size_t cap) {
  cliproxy_host_api host;
  cliproxy_plugin_api plugin;
  cliproxy_plugin_init_fn init;
  cliproxy_buffer response;
  void* handle;
  int rc;

  if (cap == 0) return -1;
  out[0] = '\0';
  handle = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) return -2;
  /* POSIX's way to turn dlsym's object pointer into a function pointer in ISO C. */
  *(void**)(&init) = dlsym(handle, CLIPROXY_PLUGIN_INIT_SYMBOL);
  if (init == NULL) {
    dlclose(handle);
    return -3;
  }
  host.abi_version = CLIPROXY_ABI_VERSION;
  host.host_ctx = NULL;
  host.call = refuse;
  host.free_buffer = release;
  memset(&plugin, 0, sizeof plugin);
  if (init(&host, &plugin) != 0 || plugin.abi_version != CLIPROXY_ABI_VERSION ||
      plugin.call == NULL || plugin.free_buffer == NULL) {
    dlclose(handle);
    return -4;
  }

  response.ptr = NULL;
  response.len = 0;
  rc = plugin.call("plugin.register", (const uint8_t*)register_body, strlen(register_body),
                   &response);
  plugin.free_buffer(response.ptr, response.len);
  if (rc != 0) {
    if (plugin.shutdown != NULL) plugin.shutdown();
    dlclose(handle);
    return -5;
  }

  response.ptr = NULL;
  response.len = 0;
  rc = plugin.call("scheduler.pick", (const uint8_t*)pick_body, strlen(pick_body), &response);
  copy_reply(&response, out, cap);
  plugin.free_buffer(response.ptr, response.len);
  plugin.free_buffer(NULL, 0);

  if (plugin.shutdown != NULL) plugin.shutdown();
  dlclose(handle);
  return rc;
}
