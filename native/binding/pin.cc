#include "binding/pin.hpp"

#include <mutex>

#if defined(_WIN32)
#include <windows.h>
#elif !defined(__EMSCRIPTEN__)
#include <dlfcn.h>
#endif

namespace spikegrad::binding {

void pinLibrary() {
#if defined(_WIN32)
  HMODULE self = nullptr;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                     reinterpret_cast<LPCWSTR>(&pinLibrary), &self);
#elif !defined(__EMSCRIPTEN__)
  // Init runs once per environment (main thread and workers, concurrently): one pin is enough.
  static std::once_flag once;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void*>(&pinLibrary), &info) == 0 || info.dli_fname == nullptr) {
      return;
    }
    // One more reference, with RTLD_NODELETE: the library stays mapped whatever dlclose follows.
    dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
  });
#endif
}

}  // namespace spikegrad::binding
