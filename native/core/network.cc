#include "core/network.hpp"

#include <cmath>
#include <stdexcept>

namespace spikegrad {

namespace {

[[noreturn]] void fail(ErrorCode code, const std::string& message) { throw Error(code, message); }

std::string at(const char* what, std::size_t k) {
  return std::string(what) + "[" + std::to_string(k) + "]";
}

}  // namespace

Synapses Synapses::fromMask(std::int32_t targets, std::int32_t sources, const std::uint8_t* mask) {
  Synapses s;
  s.targets = targets;
  s.sources = sources;
  s.start.assign(static_cast<std::size_t>(sources) + 1, 0);
  const auto rows = static_cast<std::size_t>(targets);
  for (std::int32_t src = 0; src < sources; ++src) {
    for (std::int32_t t = 0; t < targets; ++t) {
      const std::size_t k = static_cast<std::size_t>(src) * rows + static_cast<std::size_t>(t);
      if (mask != nullptr && mask[k] == 0) continue;
      s.target.push_back(t);
    }
    s.start[static_cast<std::size_t>(src) + 1] = static_cast<std::int32_t>(s.target.size());
  }
  return s;
}

std::vector<double> Synapses::gather(const double* dense) const {
  std::vector<double> out(target.size());
  const auto rows = static_cast<std::size_t>(targets);
  for (std::int32_t src = 0; src < sources; ++src) {
    for (std::int32_t k = start[static_cast<std::size_t>(src)];
         k < start[static_cast<std::size_t>(src) + 1]; ++k) {
      out[static_cast<std::size_t>(k)] =
          dense[static_cast<std::size_t>(src) * rows + static_cast<std::size_t>(target[k])];
    }
  }
  return out;
}

void Synapses::scatterDense(const double* perSynapse, double* dense) const {
  const auto rows = static_cast<std::size_t>(targets);
  for (std::int32_t src = 0; src < sources; ++src) {
    for (std::int32_t k = start[static_cast<std::size_t>(src)];
         k < start[static_cast<std::size_t>(src) + 1]; ++k) {
      dense[static_cast<std::size_t>(src) * rows + static_cast<std::size_t>(target[k])] +=
          perSynapse[k];
    }
  }
}

void Synapses::validate(const char* what) const {
  if (sources < 0 || targets < 0) fail(ErrorCode::kShape, std::string(what) + ": negative size");
  if (start.size() != static_cast<std::size_t>(sources) + 1 || start.front() != 0 ||
      static_cast<std::size_t>(start.back()) != target.size()) {
    fail(ErrorCode::kShape, std::string(what) + ": inconsistent synapse lists");
  }
  for (std::size_t s = 0; s + 1 < start.size(); ++s) {
    if (start[s] > start[s + 1]) fail(ErrorCode::kShape, std::string(what) + ": offsets decrease");
  }
  for (std::size_t k = 0; k < target.size(); ++k) {
    if (target[k] < 0 || target[k] >= targets) {
      fail(ErrorCode::kRange, at(what, k) + ": target " + std::to_string(target[k]) +
                                  " out of range [0, " + std::to_string(targets) + ")");
    }
  }
}

void NetworkStructure::validate() const {
  model.validate();
  if (n < 1) fail(ErrorCode::kRange, "n must be at least 1");
  recurrent.validate("weights");
  input.validate("inputWeights");
  if (recurrent.sources != n || recurrent.targets != n) {
    fail(ErrorCode::kShape, "weights must be n x n");
  }
  if (input.targets != n) fail(ErrorCode::kShape, "inputWeights must have n rows");
  for (std::size_t k = 0; k < trainableChannels.size(); ++k) {
    const std::int32_t c = trainableChannels[k];
    if (c < 0 || c >= input.sources) {
      fail(ErrorCode::kRange, at("trainableChannels", k) + " = " + std::to_string(c) +
                                  " is not an input channel (there are " +
                                  std::to_string(input.sources) + ")");
    }
  }
}

namespace {

void checkWeights(const std::vector<double>& w, std::size_t want, const char* what) {
  if (w.size() != want) {
    fail(ErrorCode::kShape, std::string(what) + ": " + std::to_string(w.size()) + " weights for " +
                                std::to_string(want) + " synapses");
  }
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (!std::isfinite(w[k])) {
      fail(ErrorCode::kNonFinite,
           std::string(what) + ": weight of synapse " + std::to_string(k) + " is not finite");
    }
  }
}

}  // namespace

void NetworkParams::validate(const NetworkStructure& st) const {
  checkWeights(recurrent, st.recurrent.size(), "weights");
  checkWeights(input, st.input.size(), "inputWeights");
  const std::size_t want = st.stateSize();
  if (initial.size() != want) {
    fail(ErrorCode::kShape, "initial state must have " + std::to_string(want) + " values");
  }
  st.model.checkInitial(initial.data(), static_cast<std::size_t>(st.n));
  if (trainableTimes.size() != st.trainableChannels.size()) {
    fail(ErrorCode::kShape, "trainableTimes must have one time per trainable input spike (" +
                                std::to_string(st.trainableChannels.size()) + ")");
  }
  for (std::size_t k = 0; k < trainableTimes.size(); ++k) {
    if (std::isnan(trainableTimes[k]) || trainableTimes[k] < 0) {
      fail(ErrorCode::kRange, at("trainableTimes", k) + " must be a number >= 0");
    }
  }
}

void Network::validate() const {
  if (!structure) fail(ErrorCode::kInternal, "the network has no structure");
  structure->validate();
  params.validate(*structure);
}

std::size_t Readout::totalCount() const {
  std::size_t total = 0;
  for (auto c : counts) total += static_cast<std::size_t>(c);
  return total;
}

void Readout::validate(std::int32_t n) const {
  if (neurons.size() != counts.size()) {
    fail(ErrorCode::kShape, "readout.neurons and readout.counts must have the same length");
  }
  for (std::size_t q = 0; q < neurons.size(); ++q) {
    if (neurons[q] < 0 || neurons[q] >= n) {
      fail(ErrorCode::kRange, at("readout.neurons", q) + " = " + std::to_string(neurons[q]) +
                                  " is out of range [0, " + std::to_string(n) + ")");
    }
    if (counts[q] < 0 || counts[q] > (1 << 20)) {
      fail(ErrorCode::kRange, at("readout.counts", q) + " must be in [0, 1048576]");
    }
  }
  if (layers.empty()) return;
  std::vector<int> layerOf(static_cast<std::size_t>(n), -1);
  for (std::size_t L = 0; L < layers.size(); ++L) {
    for (std::size_t k = 0; k < layers[L].size(); ++k) {
      const std::int32_t i = layers[L][k];
      if (i < 0 || i >= n) {
        fail(ErrorCode::kRange, "readout.layers[" + std::to_string(L) + "][" + std::to_string(k) +
                                    "] = " + std::to_string(i) + " is out of range");
      }
      if (layerOf[static_cast<std::size_t>(i)] != -1) {
        fail(ErrorCode::kRange,
             "readout.layers: neuron " + std::to_string(i) + " is listed more than once");
      }
      layerOf[static_cast<std::size_t>(i)] = static_cast<int>(L);
    }
  }
  for (std::size_t q = 0; q < neurons.size(); ++q) {
    if (counts[q] > 0 && layerOf[static_cast<std::size_t>(neurons[q])] == -1) {
      fail(ErrorCode::kRange, "readout.layers must contain every readout neuron (neuron " +
                                  std::to_string(neurons[q]) + " is missing)");
    }
  }
}

void InputSpikes::validate(std::int32_t inputChannels) const {
  if (bundled()) {
    if (start.size() != times.size() + 1 || start.front() != 0 ||
        static_cast<std::size_t>(start.back()) != channels.size()) {
      fail(ErrorCode::kShape,
           "input bundles: start must hold events + 1 offsets ending at the "
           "number of channels");
    }
    for (std::size_t k = 0; k < times.size(); ++k) {
      if (start[k] > start[k + 1]) fail(ErrorCode::kShape, "input bundles: offsets decrease");
    }
  } else if (times.size() != channels.size()) {
    fail(ErrorCode::kShape, "inputSpikes.times and inputSpikes.sources must have the same length");
  }
  for (std::size_t k = 0; k < times.size(); ++k) {
    if (std::isnan(times[k]) || times[k] < 0) {
      fail(ErrorCode::kRange, at("inputSpikes.times", k) + " must be a number >= 0");
    }
  }
  for (std::size_t k = 0; k < channels.size(); ++k) {
    if (channels[k] < 0 || channels[k] >= inputChannels) {
      fail(ErrorCode::kRange, at("inputSpikes.sources", k) + " = " + std::to_string(channels[k]) +
                                  " is not an input channel (there are " +
                                  std::to_string(inputChannels) + ")");
    }
  }
}

void TrialSpec::validate() const {
  if (!std::isfinite(T) || T < 0) fail(ErrorCode::kRange, "T must be a finite number >= 0");
  if (maxEvents < 0) fail(ErrorCode::kRange, "maxEvents must be >= 0");
  if (engine != EngineKind::kGeneral && engine != EngineKind::kLayered &&
      engine != EngineKind::kAuto) {
    fail(ErrorCode::kRange, "unknown engine");
  }
}

const char* engineName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kGeneral:
      return "general";
    case EngineKind::kLayered:
      return "layered";
    case EngineKind::kAuto:
      return "auto";
  }
  return "unknown";
}

const InputSpikes& withTrainableInputs(const InputSpikes& own, const NetworkStructure& st,
                                       const NetworkParams& params, InputSpikes* merged) {
  const std::size_t m = st.trainableChannels.size();
  if (m == 0) return own;
  merged->times = own.times;
  merged->times.insert(merged->times.end(), params.trainableTimes.begin(),
                       params.trainableTimes.end());
  merged->channels = own.channels;
  merged->channels.insert(merged->channels.end(), st.trainableChannels.begin(),
                          st.trainableChannels.end());
  merged->start = own.start;
  if (own.bundled()) {
    for (std::size_t k = 0; k < m; ++k) {
      merged->start.push_back(merged->start.back() + 1);
    }
  }
  return *merged;
}

}  // namespace spikegrad
