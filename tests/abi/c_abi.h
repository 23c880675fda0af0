/* The C client of the ABI (c_abi.c), callable from the C++ test. */
#ifndef CLIPROXY_TESTS_ABI_C_ABI_H_
#define CLIPROXY_TESTS_ABI_C_ABI_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Loads the plugin at `so_path`, registers with `register_body`, picks with `pick_body`
 * and copies the pick reply (NUL-terminated, truncated to `cap`) into `out`. Returns the
 * pick's return code, or a negative number for a loading step that failed. */
int c_abi_register_and_pick(const char* so_path, const char* register_body, const char* pick_body,
                            char* out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* CLIPROXY_TESTS_ABI_C_ABI_H_ */
