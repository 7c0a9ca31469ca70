// Keeps the addon's shared library loaded for the rest of the process.
#pragma once

namespace spikegrad::binding {

/// Marks the addon's own shared library as never unloaded. Node unloads (dlclose) an addon when
/// the last environment that loaded it, such as a worker thread, is torn down; but the core's
/// persistent helper threads (core/parallel.cc) live in the library's code until the process
/// exits, so unloading it under them crashes the process. Idempotent; best effort (a failure
/// leaves the library as Node loaded it). A no-op in the WebAssembly build.
void pinLibrary();

}  // namespace spikegrad::binding
