// Shared readers of structured binding arguments: named object fields, typed arrays of every
// element type the binding takes, and the neuron model. All throw coded spikegrad::Error.
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

/// o[name]; throws a TypeError naming `what.name` when required and missing.
Napi::Value field(const Napi::Object& o, const char* name, bool required = true,
                  const char* what = "spec");

std::vector<std::uint8_t> getUint8s(const Napi::Value& v, const std::string& name,
                                    std::size_t length);
std::vector<std::int32_t> getInt32s(const Napi::Value& v, const std::string& name);

/// The neuron model from spec.model and spec.params (defaults for missing parameters).
NeuronModel getModel(const Napi::Object& spec);

}  // namespace spikegrad::binding
