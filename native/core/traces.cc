#include "core/traces.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace spikegrad {

namespace {

/// The state of neuron i (state after its last update at time t0) flowed to time t.
double voltageAt(const NeuronModel& model, double x0, double x1, double t0, double t, double* I) {
  const double delta = t - t0;
  switch (model.kind) {
    case NeuronModel::Kind::kQif: {
      const double big = 1.0 / model.qif.eps;
      if (x0 == -std::numeric_limits<double>::infinity() && delta <= 0) {
        *I = x1;
        return -big;
      }
      const qif::Flow f = qif::flow(model.qif, x0, x1, delta);
      *I = f.I;
      return std::max(-big, std::min(f.V, big));
    }
    case NeuronModel::Kind::kLif: {
      const lif::Flow f = lif::flow(model.lif, x0, x1, delta);
      *I = f.I;
      return f.V;
    }
    case NeuronModel::Kind::kTheta:
      return theta::vOfPhase(model.theta, x0 + delta);
    case NeuronModel::Kind::kOscLif:
      return osclif::vOfPhase(model.osclif, x0 + delta);
  }
  return 0.0;
}

}  // namespace

Traces computeTraces(const Network& net, const Tape& tape, double T, double dt,
                     const std::vector<std::int32_t>& neurons) {
  if (!(dt > 0) || !std::isfinite(dt)) throw Error(ErrorCode::kRange, "trace dt must be > 0");
  const double steps = std::floor(T / dt + 1e-9);
  if (steps > 1e7 || static_cast<double>(neurons.size()) * (steps + 1) > 5e7) {
    throw Error(ErrorCode::kRange,
                "traces: too many grid points (raise dt or trace fewer neurons)");
  }
  const auto G = static_cast<std::size_t>(steps) + 1;
  Traces out;
  out.times.resize(G);
  for (std::size_t g = 0; g < G; ++g) out.times[g] = static_cast<double>(g) * dt;
  const bool current = !net.model.isPhase();
  out.V.assign(neurons.size() * G, 0.0);
  if (current) out.I.assign(neurons.size() * G, 0.0);
  const auto n = static_cast<std::size_t>(net.n);
  for (std::size_t q = 0; q < neurons.size(); ++q) {
    const std::int32_t i = neurons[q];
    if (i < 0 || i >= net.n) throw Error(ErrorCode::kRange, "traces: neuron index out of range");
    // This neuron's updates in time order: (time, x0, x1), starting with the initial state.
    std::vector<std::array<double, 3>> updates;
    updates.push_back({0.0, net.initial[static_cast<std::size_t>(i)],
                       current ? net.initial[n + static_cast<std::size_t>(i)] : 0.0});
    for (const auto& tc : tape.touches) {
      if (tc.neuron != i) continue;
      const auto& ev = tape.events[static_cast<std::size_t>(tc.event)];
      double x0 = tc.x0;
      if (net.model.kind == NeuronModel::Kind::kTheta && ev.kind != Tape::kTrialEnd) {
        // The theta engine records p = tan(a phi - pi/2) inside the trial (simulator.cc).
        const double a = net.model.theta.r() / net.model.theta.tau;
        x0 = std::atan2(1.0, -x0) / a;
      }
      updates.push_back({ev.t, x0, tc.x1});
    }
    std::size_t u = 0;
    for (std::size_t g = 0; g < G; ++g) {
      const double t = out.times[g];
      while (u + 1 < updates.size() && updates[u + 1][0] <= t) ++u;
      double I = 0.0;
      out.V[q * G + g] = voltageAt(net.model, updates[u][1], updates[u][2], updates[u][0], t, &I);
      if (current) out.I[q * G + g] = I;
    }
  }
  return out;
}

}  // namespace spikegrad
