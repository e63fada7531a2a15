// libFuzzer's driver, linked in by `-sanitize=fuzzer` (make fuzz) and referenced only there. SwiftPM
// points `main` at the executable's own entry point, so quarry-fuzz's main starts libFuzzer through
// this rather than through the `main` libFuzzer ships.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
