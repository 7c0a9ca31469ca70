#include "core/traces.hpp"

#include <array>
#include <cmath>

#include "core/engine/engines.hpp"

namespace spikegrad {

Traces computeTraces(const Network& net, const Tape& tape, double T, double dt,
                     const std::vector<std::int32_t>& neurons) {
  if (!(dt > 0) || !std::isfinite(dt)) throw Error(ErrorCode::kRange, "trace dt must be > 0");
  const double steps = std::floor(T / dt + 1e-9);
  if (steps > 1e7 || static_cast<double>(neurons.size()) * (steps + 1) > 5e7) {
    throw Error(ErrorCode::kRange,
                "traces: too many grid points (raise dt or trace fewer neurons)");
  }
  const NetworkStructure& st = *net.structure;
  const std::vector<double>& initial = net.params.initial;
  const auto G = static_cast<std::size_t>(steps) + 1;
  Traces out;
  out.times.resize(G);
  for (std::size_t g = 0; g < G; ++g) out.times[g] = static_cast<double>(g) * dt;
  const bool current = !st.model.isPhase();
  out.V.assign(neurons.size() * G, 0.0);
  if (current) out.I.assign(neurons.size() * G, 0.0);
  const auto n = static_cast<std::size_t>(st.n);
  engine::withAdapter(st.model, [&](const auto& model, const auto* engineTag) {
    using Engine = std::remove_cv_t<std::remove_pointer_t<decltype(engineTag)>>;
    for (std::size_t q = 0; q < neurons.size(); ++q) {
      const std::int32_t i = neurons[q];
      if (i < 0 || i >= st.n) throw Error(ErrorCode::kRange, "traces: neuron index out of range");
      // This neuron's updates in time order: (time, x0, x1), starting with the initial state.
      std::vector<std::array<double, 3>> updates;
      updates.push_back({0.0, initial[static_cast<std::size_t>(i)],
                         current ? initial[n + static_cast<std::size_t>(i)] : 0.0});
      for (const auto& tc : tape.touches) {
        if (tc.neuron != i) continue;
        const auto& ev = tape.events[static_cast<std::size_t>(tc.event)];
        double x0, x1;
        Engine::decodeState(model, tc, ev.kind == Tape::kTrialEnd, &x0, &x1);
        updates.push_back({ev.t, x0, x1});
      }
      std::size_t u = 0;
      for (std::size_t g = 0; g < G; ++g) {
        const double t = out.times[g];
        while (u + 1 < updates.size() && updates[u + 1][0] <= t) ++u;
        double I = 0.0;
        out.V[q * G + g] = model.voltage(updates[u][1], updates[u][2], t - updates[u][0], &I);
        if (current) out.I[q * G + g] = I;
      }
    }
  });
  return out;
}

}  // namespace spikegrad
