#include "core/neurons/registry.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "core/error.hpp"

namespace spikegrad {

namespace {

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace

const char* NeuronModel::name() const {
  return visit([](const auto& p) -> const char* { return std::decay_t<decltype(p)>::kName; });
}

Family NeuronModel::family() const {
  return visit([](const auto& p) { return std::decay_t<decltype(p)>::kFamily; });
}

int NeuronModel::stateDim() const {
  return visit([](const auto& p) {
    return static_cast<int>(std::decay_t<decltype(p)>::kStateNames.size());
  });
}

std::vector<const char*> NeuronModel::stateNames() const {
  return visit([](const auto& p) {
    const auto& names = std::decay_t<decltype(p)>::kStateNames;
    return std::vector<const char*>(names.begin(), names.end());
  });
}

void NeuronModel::validate() const {
  try {
    visit([](const auto& p) { p.validate(); });
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorCode::kDomain, e.what());
  }
}

std::vector<StateBounds> NeuronModel::bounds() const {
  return visit([](const auto& p) {
    const auto b = p.bounds();
    return std::vector<StateBounds>(b.begin(), b.end());
  });
}

std::vector<double> NeuronModel::defaultState() const {
  return visit([](const auto& p) {
    const auto x = p.defaultState();
    return std::vector<double>(x.begin(), x.end());
  });
}

std::vector<NamedConstant> NeuronModel::constants() const {
  return visit([](const auto& p) { return p.constants(); });
}

void NeuronModel::checkInitial(const double* initial, std::size_t n) const {
  const auto D = static_cast<std::size_t>(stateDim());
  for (std::size_t k = 0; k < D * n; ++k) {
    if (!std::isfinite(initial[k])) {
      throw Error(ErrorCode::kNonFinite, "initial[" + std::to_string(k) + "] is not finite");
    }
  }
  const std::vector<StateBounds> b = bounds();
  const std::vector<const char*> names = stateNames();
  for (std::size_t d = 0; d < D; ++d) {
    for (std::size_t i = 0; i < n; ++i) {
      const double x = initial[d * n + i];
      if (x < b[d].min || x > b[d].max) {
        throw Error(ErrorCode::kRange, std::string("initial.") + names[d] + "[" +
                                           std::to_string(i) + "] must " + b[d].rule + " (got " +
                                           number(x) + "; the " + name() + " domain is [" +
                                           number(b[d].min) + ", " + number(b[d].max) + "])");
      }
    }
  }
}

std::size_t NeuronModel::projectInitial(double* initial, std::size_t n) const {
  const std::vector<StateBounds> b = bounds();
  std::size_t changed = 0;
  for (std::size_t d = 0; d < b.size(); ++d) {
    for (std::size_t i = 0; i < n; ++i) {
      double& x = initial[d * n + i];
      if (x < b[d].min) {
        x = b[d].min;
        ++changed;
      } else if (x > b[d].max) {
        x = b[d].max;
        ++changed;
      }
    }
  }
  return changed;
}

bool NeuronModel::fromName(const std::string& name, NeuronModel* out) {
  bool found = false;
  forEach([&](const auto& defaults) {
    if (!found && name == std::decay_t<decltype(defaults)>::kName) {
      *out = NeuronModel(defaults);
      found = true;
    }
  });
  return found;
}

std::string NeuronModel::names() {
  std::string list;
  forEach([&](const auto& defaults) {
    if (!list.empty()) list += ", ";
    list += std::decay_t<decltype(defaults)>::kName;
  });
  return list;
}

}  // namespace spikegrad
