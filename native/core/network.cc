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

const char* NeuronModel::name() const {
  switch (kind) {
    case Kind::kQif:
      return "qif";
    case Kind::kTheta:
      return "theta";
    case Kind::kLif:
      return "lif";
    case Kind::kOscLif:
      return "osclif";
  }
  return "unknown";
}

void NeuronModel::validate() const {
  try {
    switch (kind) {
      case Kind::kQif:
        qif.validate();
        break;
      case Kind::kTheta:
        theta.validate();
        break;
      case Kind::kLif:
        lif.validate();
        break;
      case Kind::kOscLif:
        osclif.validate();
        break;
    }
  } catch (const std::invalid_argument& e) {
    fail(ErrorCode::kDomain, e.what());
  }
}

Synapses Synapses::fromDense(std::int32_t targets, std::int32_t sources, const double* W,
                             const std::uint8_t* mask) {
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
      s.weight.push_back(W[k]);
    }
    s.start[static_cast<std::size_t>(src) + 1] = static_cast<std::int32_t>(s.target.size());
  }
  return s;
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
      static_cast<std::size_t>(start.back()) != target.size() || weight.size() != target.size()) {
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
    if (!std::isfinite(weight[k])) {
      fail(ErrorCode::kNonFinite,
           std::string(what) + ": weight of synapse " + std::to_string(k) + " is not finite");
    }
  }
}

void Network::validate() const {
  model.validate();
  if (n < 1) fail(ErrorCode::kRange, "n must be at least 1");
  recurrent.validate("weights");
  input.validate("inputWeights");
  if (recurrent.sources != n || recurrent.targets != n) {
    fail(ErrorCode::kShape, "weights must be n x n");
  }
  if (input.targets != n) fail(ErrorCode::kShape, "inputWeights must have n rows");
  const std::size_t want = static_cast<std::size_t>(model.stateDim()) * static_cast<std::size_t>(n);
  if (initial.size() != want) {
    fail(ErrorCode::kShape, "initial state must have " + std::to_string(want) + " values");
  }
  for (std::size_t k = 0; k < initial.size(); ++k) {
    if (!std::isfinite(initial[k]))
      fail(ErrorCode::kNonFinite, at("initial", k) + " is not finite");
  }
  if (model.kind == NeuronModel::Kind::kTheta) {
    const double Theta = model.theta.period();
    for (std::size_t k = 0; k < initial.size(); ++k) {
      if (initial[k] < 0 || initial[k] > Theta) {
        fail(ErrorCode::kRange,
             at("initial.phi", k) + " must lie in [0, Theta] = [0, " + std::to_string(Theta) + "]");
      }
    }
  }
  if (model.kind == NeuronModel::Kind::kOscLif) {
    const double Theta = model.osclif.period();
    for (std::size_t k = 0; k < initial.size(); ++k) {
      if (initial[k] > Theta) {
        fail(ErrorCode::kRange,
             at("initial.phi", k) + " must be at most Theta = " + std::to_string(Theta));
      }
    }
  }
  if (model.kind == NeuronModel::Kind::kLif) {
    for (std::int32_t i = 0; i < n; ++i) {
      if (initial[static_cast<std::size_t>(i)] >= model.lif.vth) {
        fail(ErrorCode::kRange,
             at("initial.V", static_cast<std::size_t>(i)) + " must be below the threshold vth");
      }
    }
  }
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
}

}  // namespace spikegrad
