// The neuron-model contract and registry (native/core/neurons/contract.hpp, registry.hpp):
// - the contract traits accept every registered model in its family only, and reject a model
//   with a missing or mistyped member;
// - names, state names, families and defaults derived from the registry;
// - the initial-state domain: what checkInitial accepts is exactly what projectInitial produces,
//   its bounds are the constants the engines use (a theta or osclif neuron started at the upper
//   bound spikes at t = 0), and the codes of its errors.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "core/error.hpp"
#include "core/neurons/registry.hpp"
#include "core/simulator.hpp"

using spikegrad::Error;
using spikegrad::ErrorCode;
using spikegrad::Family;
using spikegrad::IsCurrentModel;
using spikegrad::IsPhaseModel;
using spikegrad::LifParams;
using spikegrad::NeuronModel;
using spikegrad::OscLifParams;
using spikegrad::QifParams;
using spikegrad::ThetaParams;

namespace {

/// A current-based model whose adapter lacks rate(): must fail IsCurrentModel.
struct NoRateAdapter {
  static constexpr bool kMask = false;
  explicit NoRateAdapter(const struct NoRateModel&) {}
  double tau() const { return 1; }
  double eps() const { return 0; }
  double clampV() const { return 1; }
  double resetV() const { return 0; }
  spikegrad::Flow flow(double, double, double) const { return {}; }
  spikegrad::SpikeTime spikeTime(double, double) const { return {}; }
  spikegrad::Pseudo pseudo(double, double, int) const { return {}; }
  double voltage(double, double, double, double*) const { return 0; }
};
struct NoRateModel {
  double tau = 1;
  void validate() const {}
  static constexpr const char* kName = "norate";
  static constexpr Family kFamily = Family::kCurrent;
  static constexpr std::array<const char*, 2> kStateNames{"V", "I"};
  static constexpr std::array<spikegrad::ParamField<NoRateModel>, 1> fields() {
    return {{{"tau", &NoRateModel::tau}}};
  }
  std::array<spikegrad::StateBounds, 2> bounds() const { return {}; }
  std::array<double, 2> defaultState() const { return {0, 0}; }
  std::vector<spikegrad::NamedConstant> constants() const { return {}; }
  using Adapter = NoRateAdapter;
};
/// A masked current-based adapter (kMask) without the pole functions (pole, pseudoAtPole,
/// rateAtPole): must fail IsCurrentModel, since the engine needs them at the trial end.
struct NoPoleAdapter {
  static constexpr bool kMask = true;
  explicit NoPoleAdapter(const struct NoPoleModel&) {}
  double tau() const { return 1; }
  double eps() const { return 1e-6; }
  double clampV() const { return 1e6; }
  double resetV() const { return 0; }
  spikegrad::Flow flow(double, double, double) const { return {}; }
  spikegrad::SpikeTime spikeTime(double, double) const { return {}; }
  spikegrad::Pseudo pseudo(double, double, int) const { return {}; }
  spikegrad::Rate rate(double, double) const { return {}; }
  double voltage(double, double, double, double*) const { return 0; }
};
struct NoPoleModel : NoRateModel {
  using Adapter = NoPoleAdapter;
};
/// QifParams' metadata but bounds() of the wrong arity: must fail as well.
struct WrongBoundsModel : QifParams {
  std::array<spikegrad::StateBounds, 1> bounds() const { return {}; }
  using Adapter = spikegrad::QifAdapter;
};

void contractTraits() {
  constexpr bool qifCurrent = IsCurrentModel<QifParams>::value;
  constexpr bool lifCurrent = IsCurrentModel<LifParams>::value;
  constexpr bool thetaPhase = IsPhaseModel<ThetaParams>::value;
  constexpr bool osclifPhase = IsPhaseModel<OscLifParams>::value;
  CHECK(qifCurrent && lifCurrent && thetaPhase && osclifPhase);
  constexpr bool qifPhase = IsPhaseModel<QifParams>::value;
  constexpr bool thetaCurrent = IsCurrentModel<ThetaParams>::value;
  CHECK(!qifPhase && !thetaCurrent);
  constexpr bool noRate = IsCurrentModel<NoRateModel>::value;
  constexpr bool noPole = IsCurrentModel<NoPoleModel>::value;
  CHECK(!noPole);
  constexpr bool wrongBounds = IsCurrentModel<WrongBoundsModel>::value;
  constexpr bool notAModel = IsCurrentModel<int>::value || IsPhaseModel<double>::value;
  CHECK(!noRate);
  CHECK(!wrongBounds);
  CHECK(!notAModel);
}

NeuronModel named(const char* name) {
  NeuronModel m;
  CHECK(NeuronModel::fromName(name, &m));
  return m;
}

void derived() {
  // The paper's four models come first, in this order; models added later follow them.
  CHECK(NeuronModel::names().rfind("qif, theta, lif, osclif", 0) == 0);
  NeuronModel m;
  CHECK(std::string(m.name()) == "qif");  // the default model is the first registered one
  CHECK(!NeuronModel::fromName("QIF", &m));
  CHECK(!NeuronModel::fromName("", &m));
  for (const char* name : {"qif", "theta", "lif", "osclif"}) {
    spikegrad::test::context() = name;
    const NeuronModel model = named(name);
    CHECK(std::string(model.name()) == name);
    const bool phase = std::string(name) == "theta" || std::string(name) == "osclif";
    CHECK(model.isPhase() == phase);
    CHECK(model.stateDim() == (phase ? 1 : 2));
    CHECK(model.stateNames().size() == static_cast<std::size_t>(model.stateDim()));
    CHECK(std::string(model.stateNames()[0]) == (phase ? "phi" : "V"));
    CHECK(model.bounds().size() == static_cast<std::size_t>(model.stateDim()));
    CHECK(model.defaultState().size() == static_cast<std::size_t>(model.stateDim()));
    model.validate();  // defaults are valid
  }
  spikegrad::test::context().clear();
  // Constants and defaults are those of the model structs, bit for bit.
  ThetaParams tp;
  tp.tau = 6.0 / spikegrad::kPi;
  const NeuronModel theta(tp);
  const auto c = theta.constants();
  CHECK(c.size() == 2 && std::string(c[0].name) == "period" && std::string(c[1].name) == "r");
  CHECK(c[0].value == tp.tau * spikegrad::kPi / std::sqrt(tp.I0 - 0.25));
  CHECK(c[1].value == std::sqrt(tp.I0 - 0.25));
  CHECK(theta.defaultState()[0] == tp.period() / 2);
  OscLifParams op;
  op.I0 = 1.7;
  op.vth = 0.3;
  const NeuronModel osclif(op);
  CHECK(osclif.constants().size() == 1 && osclif.constants()[0].value == op.period());
  CHECK(named("qif").constants().empty() && named("lif").constants().empty());
  // Invalid parameters: kDomain.
  QifParams bad;
  bad.eps = 0.5;
  bool threw = false;
  try {
    NeuronModel(bad).validate();
  } catch (const Error& e) {
    threw =
        e.code() == ErrorCode::kDomain && std::string(e.what()).find("eps") != std::string::npos;
  }
  CHECK(threw);
}

ErrorCode checkCode(const NeuronModel& m, const std::vector<double>& x, std::size_t n) {
  try {
    m.checkInitial(x.data(), n);
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;  // stands for "accepted"
}
constexpr ErrorCode kAccepted = ErrorCode::kInternal;

void initialDomain() {
  const double inf = std::numeric_limits<double>::infinity();
  // theta: [0, Theta].
  ThetaParams tp;
  tp.tau = 0.7;
  tp.I0 = 2.3;
  const NeuronModel theta(tp);
  const double Theta = tp.period();
  CHECK(theta.bounds()[0].min == 0.0 && theta.bounds()[0].max == Theta);
  CHECK(checkCode(theta, {0.0, Theta, Theta / 3}, 3) == kAccepted);
  CHECK(checkCode(theta, {std::nextafter(Theta, inf)}, 1) == ErrorCode::kRange);
  CHECK(checkCode(theta, {-1e-300}, 1) == ErrorCode::kRange);
  CHECK(checkCode(theta, {std::nan("")}, 1) == ErrorCode::kNonFinite);
  std::vector<double> x = {-1.0, 0.5, 1e9, std::nan("")};
  CHECK(theta.projectInitial(x.data(), 4) == 2);
  CHECK(x[0] == 0.0 && x[1] == 0.5 && x[2] == Theta && std::isnan(x[3]));
  // osclif: phi <= Theta (negative phases allowed).
  OscLifParams op;
  op.tau = 1.3;
  op.I0 = 1.0 + 1e-9;
  op.vth = 1.0;
  const NeuronModel osclif(op);
  const double P = op.period();
  CHECK(osclif.bounds()[0].max == P && osclif.bounds()[0].min == -inf);
  CHECK(checkCode(osclif, {-50.0, P}, 2) == kAccepted);
  CHECK(checkCode(osclif, {std::nextafter(P, inf)}, 1) == ErrorCode::kRange);
  x = {P * 2, -3.0};
  CHECK(osclif.projectInitial(x.data(), 2) == 1);
  CHECK(x[0] == P && x[1] == -3.0);
  // lif: V below vth, I unconstrained; the layout is V[0..n), I[0..n).
  LifParams lp;
  lp.vth = 0.8;
  const NeuronModel lif(lp);
  const double vmax = std::nextafter(0.8, -inf);
  CHECK(lif.bounds()[0].max == vmax && lif.bounds()[1].max == inf);
  CHECK(checkCode(lif, {vmax, -7.0, 1e6, -1e6}, 2) == kAccepted);
  CHECK(checkCode(lif, {0.0, 0.8, 0.0, 0.0}, 2) == ErrorCode::kRange);
  x = {0.0, 5.0, 9.0, 9.0};
  CHECK(lif.projectInitial(x.data(), 2) == 1);
  CHECK(x[0] == 0.0 && x[1] == vmax && x[2] == 9.0 && x[3] == 9.0);
  CHECK(checkCode(lif, x, 2) == kAccepted);
  // qif: any finite state.
  x = {1e300, -1e300, 0.0, 5.0};
  CHECK(named("qif").projectInitial(x.data(), 2) == 0);
  CHECK(checkCode(named("qif"), x, 2) == kAccepted);
}

/// A phase neuron started at the upper bound of its domain spikes at t = 0 (the bound is the
/// engine's period); one ulp below, it spikes one ulp later.
void boundsAreTheEnginesPeriod() {
  ThetaParams tp;
  tp.tau = 6.0 / spikegrad::kPi;
  OscLifParams op;
  op.I0 = 1.9;
  op.vth = 1.1;
  for (const NeuronModel& model : {NeuronModel(tp), NeuronModel(op)}) {
    spikegrad::test::context() = model.name();
    auto st = std::make_shared<spikegrad::NetworkStructure>();
    st->model = model;
    st->n = 2;
    st->recurrent.sources = st->recurrent.targets = 2;
    st->recurrent.start = {0, 0, 0};
    st->input.sources = 0;
    st->input.targets = 2;
    st->input.start = {0};
    const double max = model.bounds()[0].max;
    spikegrad::Network net{st, {}};
    net.params.initial = {max, std::nextafter(max, 0.0)};
    spikegrad::Readout ro;
    ro.neurons = {0, 1};
    ro.counts = {1, 1};
    spikegrad::TrialSpec trial;
    trial.T = 1.0;
    trial.maxEvents = 10;
    spikegrad::Simulator sim;
    spikegrad::Tape tape;
    spikegrad::ForwardResult out;
    sim.forward(net, {}, ro, trial, &tape, &out);
    CHECK(out.outputIsPseudo[0] == 0 && out.outputTimes[0] == 0.0);
    CHECK(out.outputIsPseudo[1] == 0 && out.outputTimes[1] > 0.0 && out.outputTimes[1] < 1e-15);
  }
  spikegrad::test::context().clear();
}

}  // namespace

int main() {
  contractTraits();
  derived();
  initialDomain();
  boundsAreTheEnginesPeriod();
  return spikegrad::test::finish("registry_test");
}
