// The record of one forward run that the reverse pass reads (docs/core.md, "The tape"): one event
// per input event, network spike and the trial end, and one touch per neuron update. Written by
// the event loop (event_loop.hpp) through EngineBase::record, read by the reverse sweep
// (reverse_sweep.hpp), by the output decoding (output.hpp) and by traces (core/traces.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace spikegrad {

/// An allocator whose value-initialisation leaves a double (or any trivial type) uninitialised:
/// std::vector<T, UninitAllocator<T>>::resize() only allocates, it does not zero-fill. For
/// record buffers that are written in full before they are read, reused from trial to trial.
template <class T>
struct UninitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitAllocator<U>;
  };
  UninitAllocator() noexcept = default;
  template <class U>
  UninitAllocator(const UninitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialisation: no zero fill
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

struct Tape {
  /// kDelivery: a spike's kicks onto the next layer, recorded apart from its kSpike event by the
  /// layered order (layered_model.hpp); its index is the tape position of that kSpike event.
  enum EventKind : std::int8_t { kInput = 0, kSpike = 1, kTrialEnd = 2, kDelivery = 3 };
  enum TouchFlags : std::uint8_t {
    kMasked = 1,         ///< predicted spike within eps of the event: V held at 1/eps (qif)
    kClamped = 2,        ///< the flow hit the voltage clamp 1/eps (qif)
    kReset = 4,          ///< this neuron spiked at this event and was reset
    kNewPrediction = 8,  ///< a new spike-time prediction was made from the post-event state
    kKicked = 16,        ///< a weight was delivered (Touch::w; Touch::synapse unless bundled)
    kInputSynapse = 32,  ///< ... through input synapses (else a recurrent one)
    kBundle = 64,        ///< ... summed over the synapses of a bundle of input channels
  };
  struct Event {
    double t;                 ///< event time
    std::int32_t index;       ///< input event (original order) or spiking neuron; -1 at trial end
    std::int32_t firstTouch;  ///< first record of this event in touches
    std::int8_t kind;         ///< EventKind
  };
  struct Touch {
    double x0, x1;           ///< post-event state (V+, I+), or (phi+, aux) where aux is what the
                             ///< reverse pass needs of a kick (theta: tan(r phi-/tau - pi/2)).
                             ///< Each engine defines its encoding (the theta engine keeps the
                             ///< tangent p in x0 inside the trial); Engine::decodeState undoes it
    double w;                ///< the weight delivered (0 when not kicked)
    std::int32_t neuron;     ///< the neuron updated
    std::int32_t prev;       ///< this neuron's previous touch, -1 for the initial state at t = 0
    std::int32_t event;      ///< the event of this update
    std::int32_t synapse;    ///< the synapse whose weight was delivered, -1 if none or bundled
    std::int32_t prevEvent;  ///< the event of touch `prev` (-1 for the initial state): saves the
                             ///< reverse pass a random access into the tape
    std::uint8_t flags;      ///< TouchFlags
  };
  std::vector<Event> events;
  std::vector<Touch> touches;
  std::vector<std::int32_t> slotEvent;  ///< per output slot: its spike event, -1 for a pseudospike
  std::vector<std::int32_t> slotK;      ///< per output slot: pseudospike number k >= 1, else 0
  /// The pseudo quantities of the forward run, kept for the reverse pass: per neuron u, r,
  /// dr/dx0 and dr/du (4 n values, in that order).
  std::vector<double> pseudo;

  /// The record of the layered engine (engine/layered.hpp), used instead of events and touches
  /// when isLayered.
  struct Layered {
    struct Spike {
      double t;
      std::int32_t neuron;
      std::int32_t before;  ///< input events of the neuron's layer processed before the spike
    };
    std::vector<std::int32_t> layerEvents;  ///< per layer: its first input event (layers + 1)
    std::vector<double> evTime;             ///< input event times, layer after layer
    /// Layer 0: the input event (in the trial's order); layer l >= 1: the spike of layer l-1.
    std::vector<std::int32_t> evSource;
    std::vector<std::size_t> ptStart;  ///< per layer: its first entry in pt (layers + 1)
    /// Per layer, per input event, per neuron: the pre-kick tangent p, NaN if not kicked.
    std::vector<double, UninitAllocator<double>> pt;
    std::vector<double, UninitAllocator<double>>
        wsum;  ///< layer 0, bundled: summed weights per event, neuron
    /// Per input event (as evTime): 1 if every neuron of the layer was kicked (no NaN in pt).
    std::vector<std::uint8_t> allKicked;
    std::vector<std::int32_t> layerSpikes;  ///< per layer: its first spike (layers + 1)
    std::vector<Spike> spikes;  ///< by layer; in a layer by `before`, then neuron, then time
    std::vector<double> phiT;   ///< per neuron: the phase at T
    void clear() {
      layerEvents.clear();
      evTime.clear();
      evSource.clear();
      ptStart.clear();
      pt.clear();
      wsum.clear();
      allKicked.clear();
      layerSpikes.clear();
      spikes.clear();
      phiT.clear();
    }
    std::size_t capacityBytes() const {
      return (layerEvents.capacity() + evSource.capacity() + layerSpikes.capacity()) *
                 sizeof(std::int32_t) +
             ptStart.capacity() * sizeof(std::size_t) +
             (evTime.capacity() + pt.capacity() + wsum.capacity() + phiT.capacity()) *
                 sizeof(double) +
             spikes.capacity() * sizeof(Spike) + allKicked.capacity();
    }
  };
  Layered layered;
  bool isLayered = false;  ///< recorded by the layered engine (layered holds the record)

  /// The touches of event e are touches[begin(e) .. end(e)).
  std::size_t begin(std::size_t e) const { return static_cast<std::size_t>(events[e].firstTouch); }
  std::size_t end(std::size_t e) const {
    return e + 1 < events.size() ? static_cast<std::size_t>(events[e + 1].firstTouch)
                                 : touches.size();
  }
  void clear() {
    events.clear();
    touches.clear();
    slotEvent.clear();
    slotK.clear();
    pseudo.clear();
    layered.clear();
    isLayered = false;
  }
};

}  // namespace spikegrad
