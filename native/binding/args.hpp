// Reading JavaScript values into plain C++ data: every reader of the binding, by one rule. A
// reader checks type, length, finiteness and range of what it reads and throws a coded
// spikegrad::Error naming the argument (docs/errors.md); the raw binding is reachable from
// JavaScript without the TypeScript layer, so nothing reaches the core unchecked.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/network.hpp"

namespace spikegrad::binding {

constexpr std::size_t kMaxNeurons = std::size_t{1} << 26;
constexpr std::size_t kMaxElements = std::size_t{1} << 31;
/// The largest event budget accepted: every event writes at least one 48-byte tape record, so a
/// larger budget could exhaust memory before the budget error is reached.
constexpr std::size_t kMaxEventBudget = std::size_t{1} << 27;
/// The most output times per sample.
constexpr std::size_t kMaxSlots = std::size_t{1} << 24;

// ---- Plain values ----------------------------------------------------------------------------

void requireArgs(const Napi::CallbackInfo& info, std::size_t count, const char* fname);

/// o[name]; throws a TypeError naming `what.name` when required and missing.
Napi::Value field(const Napi::Object& o, const char* name, bool required = true,
                  const char* what = "spec");

/// True unless v is undefined or null.
inline bool present(const Napi::Value& v) { return !v.IsUndefined() && !v.IsNull(); }

/// A non-negative integer no larger than max.
std::size_t getSize(const Napi::Value& v, const char* name, std::size_t max);

/// A finite number.
double getFinite(const Napi::Value& v, const char* name);

/// options[name] as a boolean; false when options is not an object or the field is undefined.
bool getFlag(const Napi::Value& options, const char* name);

/// options.threads: an integer in [0, 1024], 0 (all cores) when absent.
unsigned getThreads(const Napi::Value& options);

/// rows * cols, refusing products that would overflow or exceed the maximal array length.
std::size_t checkedProduct(std::size_t rows, std::size_t cols, const char* what);

// ---- Typed arrays (copied) ---------------------------------------------------------------------

/// v as a Float64Array (a view of its memory, no copy); a coded error naming `name` otherwise.
Napi::Float64Array float64Array(const Napi::Value& v, const char* name);

/// A Float64Array of exactly `length` values, all finite when requireFinite.
std::vector<double> getFloat64s(const Napi::Value& v, const char* name, std::size_t length,
                                bool requireFinite = true);
/// A Float64Array of any length, all finite when requireFinite.
std::vector<double> getFloat64sAnyLength(const Napi::Value& v, const char* name,
                                         bool requireFinite);
std::vector<std::uint8_t> getUint8s(const Napi::Value& v, const std::string& name,
                                    std::size_t length);
std::vector<std::int32_t> getInt32s(const Napi::Value& v, const std::string& name);

// ---- Structured values ------------------------------------------------------------------------

/// The neuron model from spec.model and spec.params (defaults for missing parameters), validated.
NeuronModel getModel(const Napi::Object& spec);
/// The neuron model called name (a string) with params (an object; anything else counts as no
/// parameters), validated; nameWhat and paramsWhat name the arguments in errors.
NeuronModel getModelNamed(const Napi::Value& name, const Napi::Value& params, const char* nameWhat,
                          const char* paramsWhat);

/// Synapse lists (source, target) grouped by source in increasing order, no duplicates.
Synapses synapsesFromLists(const std::vector<std::int32_t>& source,
                           const std::vector<std::int32_t>& target, std::int32_t sources,
                           std::int32_t targets, const char* what);

/// spec.readoutNeurons, spec.readoutCounts and spec.layers (optional); validated by the caller
/// (Readout::validate and checkSlots).
Readout getReadout(const Napi::Object& spec);
/// Throws ERR_SPIKEGRAD_RANGE when the readout asks for more than kMaxSlots output times.
void checkSlots(const Readout& readout, const char* what);

/// spec.T, spec.maxEvents (at most kMaxEventBudget) and spec.engine ('auto' when absent,
/// 'layered', 'general'); validated by the caller.
TrialSpec getTrial(const Napi::Object& spec);

/// The arrays of a batch of input events (lib/inputs.ts, InputBatch), with every offset checked:
/// times (any values, validated by the core), channels, sampleStart (samples + 1 offsets; one
/// sample when absent and allowed) and eventStart (bundles; optional).
struct BatchArrays {
  std::vector<double> times;
  std::vector<std::int32_t> channels;
  std::vector<std::int32_t> sampleStart;
  std::vector<std::int32_t> eventStart;
  bool bundled = false;
  std::size_t samples() const { return sampleStart.size() - 1; }
  /// The input events of sample s.
  InputSpikes sample(std::size_t s) const;
};
BatchArrays getBatchArrays(const Napi::Value& v, const char* what, bool sampleStartOptional);
/// getBatchArrays into *out, reusing the memory of its arrays.
void getBatchArrays(const Napi::Value& v, const char* what, bool sampleStartOptional,
                    BatchArrays* out);

/// The per-call parameters of a network of structure st: params.weights, params.inputWeights,
/// params.initial and, when st has trainable input spikes, params.inputTimes (their times).
NetworkParams getParams(const Napi::Value& v, const NetworkStructure& st);
/// getParams into *out, reusing the memory of its arrays.
void getParams(const Napi::Value& v, const NetworkStructure& st, NetworkParams* out);

/// Trace options: dt (0 when no traces are wanted) and the neurons to trace.
struct TraceRequest {
  double dt = 0.0;
  std::vector<std::int32_t> neurons;
};
/// o.traceDt (optional) and o.traceNeurons: required with traceDt when allNeurons < 0, else
/// optional with the default 0 .. allNeurons - 1.
TraceRequest getTraces(const Napi::Object& o, const char* what, std::int32_t allNeurons);

/// o.cotangent (optional): a Float64Array of finite values; *wanted says whether it was given.
std::vector<double> getCotangent(const Napi::Object& o, const char* what, bool* wanted);

}  // namespace spikegrad::binding
