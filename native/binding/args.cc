#include "binding/args.hpp"

#include "binding/convert.hpp"

namespace spikegrad::binding {

Napi::Value field(const Napi::Object& o, const char* name, bool required, const char* what) {
  Napi::Value v = o.Get(name);
  if (required && (v.IsUndefined() || v.IsNull())) {
    fail(ErrorCode::kArgument, std::string(what) + "." + name + " is required");
  }
  return v;
}

std::vector<std::uint8_t> getUint8s(const Napi::Value& v, const std::string& name,
                                    std::size_t length) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    fail(ErrorCode::kArgument, name + " must be a Uint8Array");
  }
  auto arr = v.As<Napi::Uint8Array>();
  if (arr.ElementLength() != length) {
    fail(ErrorCode::kShape, name + " must have length " + std::to_string(length) +
                                " but has length " + std::to_string(arr.ElementLength()));
  }
  return std::vector<std::uint8_t>(arr.Data(), arr.Data() + length);
}

std::vector<std::int32_t> getInt32s(const Napi::Value& v, const std::string& name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    fail(ErrorCode::kArgument, name + " must be an Int32Array");
  }
  auto arr = v.As<Napi::Int32Array>();
  return std::vector<std::int32_t>(arr.Data(), arr.Data() + arr.ElementLength());
}

namespace {
double getParam(const Napi::Object& params, const char* name, double fallback) {
  Napi::Value v = params.Get(name);
  if (v.IsUndefined()) return fallback;
  return getFinite(v, (std::string("spec.params.") + name).c_str());
}
}  // namespace

NeuronModel getModel(const Napi::Object& spec) {
  Napi::Value kind = field(spec, "model");
  if (!kind.IsString()) fail(ErrorCode::kArgument, "spec.model must be a string");
  const std::string name = kind.As<Napi::String>().Utf8Value();
  Napi::Value pv = field(spec, "params", false);
  Napi::Object params = pv.IsObject() ? pv.As<Napi::Object>() : Napi::Object::New(spec.Env());
  NeuronModel m;
  if (name == "qif") {
    m.kind = NeuronModel::Kind::kQif;
    m.qif.tau = getParam(params, "tau", m.qif.tau);
    m.qif.alpha = getParam(params, "alpha", m.qif.alpha);
    m.qif.eps = getParam(params, "eps", m.qif.eps);
  } else if (name == "theta") {
    m.kind = NeuronModel::Kind::kTheta;
    m.theta.tau = getParam(params, "tau", m.theta.tau);
    m.theta.I0 = getParam(params, "I0", m.theta.I0);
    m.theta.eps = getParam(params, "eps", m.theta.eps);
  } else if (name == "lif") {
    m.kind = NeuronModel::Kind::kLif;
    m.lif.tau = getParam(params, "tau", m.lif.tau);
    m.lif.vth = getParam(params, "vth", m.lif.vth);
    m.lif.alpha = getParam(params, "alpha", m.lif.alpha);
  } else if (name == "osclif") {
    m.kind = NeuronModel::Kind::kOscLif;
    m.osclif.tau = getParam(params, "tau", m.osclif.tau);
    m.osclif.I0 = getParam(params, "I0", m.osclif.I0);
    m.osclif.vth = getParam(params, "vth", m.osclif.vth);
    m.osclif.eps = getParam(params, "eps", m.osclif.eps);
  } else {
    fail(ErrorCode::kRange,
         "spec.model must be one of qif, theta, lif, osclif (got \"" + name + "\")");
  }
  m.validate();
  return m;
}

}  // namespace spikegrad::binding
